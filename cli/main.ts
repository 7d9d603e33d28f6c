/**
 * umcg-verify command line. Each subcommand lives in its own module and
 * returns its exit code: 0 pass, 1 violation, 2 bad input.
 */
import { EXIT, UsageError } from './usage-error.ts';
import { campaignCommand } from './campaign.ts';
import { checkCommand } from './check.ts';
import { docsCommand } from './docs.ts';
import { exploreCommand } from './explore.ts';
import { listCommand } from './list.ts';
import { litmusCommand } from './litmus.ts';
import { manifestCommand } from './manifest.ts';
import { replayCommand } from './replay.ts';
import { surveyCommand } from './survey.ts';

type Command = (args: readonly string[]) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  check: checkCommand,
  docs: docsCommand,
  explore: exploreCommand,
  list: listCommand,
  litmus: litmusCommand,
  manifest: manifestCommand,
  replay: replayCommand,
  survey: surveyCommand,
};

export async function main(argv: readonly string[]): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name.startsWith('-')) return await campaignCommand(argv);
    const command = COMMANDS[name];
    if (command === undefined) {
      throw new UsageError(`unknown command '${name}' (known: ${Object.keys(COMMANDS).join(', ')})`);
    }
    return await command(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`umcg-verify: ${err.message}\n`);
      return EXIT.badInput;
    }
    throw err;
  }
}
