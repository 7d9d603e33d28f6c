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

/** `umcg-verify --help` (or `help`, `-h`): the commands, one line each. */
export const OVERVIEW = `usage: umcg-verify [COMMAND] [options]        umcg-verify COMMAND --help: a command's options
  (none)     the campaign: the model manifest and the bug gallery against their expected verdicts
  check      seeded search of one configuration (random, pct, bounded, exhaustive), shrunk, replayable
  explore    exhaustive breadth-first exploration with symmetry reduction; the shortest counterexample
  replay     a replay token or a saved failure, as a trace table (--markdown, --mermaid, --json)
  survey     every profile x memory model x strategy, in rounds that each exclude what was found
  list       the targets, variants, profiles, memory models, strategies and invariants check accepts
  litmus     herd7-syntax X86 litmus tests run on the memory model of impl/
  manifest   compare manifest/explore.json with fresh explorations (--update rewrites it)
  docs       write docs/invariants.md from the registry (--check: exit 1 when it is stale)
exit codes: 0 pass, 1 violation, 2 bad input, 3 explore stopped before it was exhaustive`;

/** The options of the commands whose parsers have no --help of their own. */
const SHORT_HELP: Readonly<Record<string, string>> = {
  campaign: 'usage: umcg-verify [--json] [--shard i/n]\n  runs manifest/explore.json and manifest/variants.json; --shard i/n runs every n-th entry from the i-th',
  docs: 'usage: umcg-verify docs [--check]\n  writes docs/invariants.md; --check exits 1 when the file differs from the registry',
  list: 'usage: umcg-verify list [--json]',
  litmus: 'usage: umcg-verify litmus FILE... [--model sc|tso] [--json]\n  --model: the memory model (default tso); a test\'s verdict is information: exit 0',
  manifest: 'usage: umcg-verify manifest [--update]\n  exit 1 when a configuration\'s observed result differs; --update rewrites the manifest (review the diff)',
};

const wantsHelp = (args: readonly string[]): boolean => args.includes('--help') || args.includes('-h');

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
    if (name === 'help' || name === '--help' || name === '-h') {
      process.stdout.write(`${OVERVIEW}\n`);
      return EXIT.pass;
    }
    if (name === undefined || name.startsWith('-')) {
      if (wantsHelp(argv)) return usage('campaign');
      return await campaignCommand(argv);
    }
    const command = COMMANDS[name];
    if (command === undefined) {
      throw new UsageError(`unknown command '${name}' (known: ${Object.keys(COMMANDS).join(', ')}; umcg-verify --help lists them)`);
    }
    if (wantsHelp(rest)) return SHORT_HELP[name] !== undefined ? usage(name) : await command(['--help']);
    return await command(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`umcg-verify: ${err.message}\n`);
      return EXIT.badInput;
    }
    throw err;
  }
}

function usage(name: string): number {
  process.stdout.write(`${SHORT_HELP[name]}\n`);
  return EXIT.pass;
}
