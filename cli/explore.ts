/**
 * `umcg-verify explore --target model --servers S --workers W [options] [--json]`
 *
 * Exhaustive breadth-first exploration of the abstract model. Exit 0 when
 * every applicable invariant holds, 1 on a violation (with the shortest
 * trace), 2 on bad input, 3 when --max-states stopped the search first.
 */
import { explore, type ExploreOptions, type ExploreResult } from '../engine/explore.ts';
import { formatViolation } from '../engine/format.ts';
import { configName } from '../engine/manifest.ts';
import { DEFAULT_PROGRESS_BOUND, invariantById } from '../properties/registry.ts';
import type { Profile } from '../model/types.ts';
import { choiceOption, intOption, parse } from './args.ts';
import { EXIT, UsageError } from './usage-error.ts';

export const EXIT_INCOMPLETE = 3;

const HELP = `usage: umcg-verify explore --target model --servers S --workers W
         [--profile contract|adversarial] [--no-yield] [--locks] [--env-budget N]
         [--progress-bound K] [--max-states N] [--all] [--only ID[,ID...]] [--json]`;

export async function exploreCommand(args: readonly string[]): Promise<number> {
  const cmd = 'explore';
  const { values } = parse(cmd, args, {
    target: { type: 'string' },
    servers: { type: 'string' },
    workers: { type: 'string' },
    profile: { type: 'string' },
    'no-yield': { type: 'boolean' },
    locks: { type: 'boolean' },
    'env-budget': { type: 'string' },
    'progress-bound': { type: 'string' },
    'max-states': { type: 'string' },
    all: { type: 'boolean' },
    only: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.pass;
  }
  const target = choiceOption(cmd, 'target', values.target, 'model', ['model', 'impl'] as const);
  if (target === 'impl') throw new UsageError('explore: --target impl needs the detailed implementation, which is not built yet');
  if (values.servers === undefined || values.workers === undefined) throw new UsageError('explore: --servers and --workers are required');
  const servers = intOption(cmd, 'servers', values.servers, 1, 1, 4);
  const workers = intOption(cmd, 'workers', values.workers, 1, 1, 6);
  const profile = choiceOption<Profile>(cmd, 'profile', values.profile, 'contract', ['contract', 'adversarial']);
  const envBudget = intOption(cmd, 'env-budget', values['env-budget'], profile === 'adversarial' ? 1 : 0, 0, 8);
  if (envBudget > 0 && profile !== 'adversarial') throw new UsageError('explore: --env-budget needs --profile adversarial');
  const only = values.only?.split(',').map((x) => x.trim());
  for (const id of only ?? []) {
    if (invariantById(id) === undefined) throw new UsageError(`explore: unknown invariant '${id}' in --only`);
  }
  const opts: ExploreOptions = {
    servers,
    workers,
    profile,
    yield: values['no-yield'] !== true,
    locks: values.locks === true,
    envBudget,
    progressBound: intOption(cmd, 'progress-bound', values['progress-bound'], DEFAULT_PROGRESS_BOUND, 1, 1_000_000),
    maxStates: intOption(cmd, 'max-states', values['max-states'], 10_000_000, 1, 100_000_000),
    stopAtFirst: values.all !== true,
    ...(only === undefined ? {} : { only }),
  };
  const r = explore(opts);
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify(toJson(opts, r))}\n`);
  } else {
    process.stdout.write(`${toText(opts, r).join('\n')}\n`);
  }
  return r.verdict === 'pass' ? EXIT.pass : r.verdict === 'violation' ? EXIT.violation : EXIT_INCOMPLETE;
}

function toJson(opts: ExploreOptions, r: ExploreResult): Record<string, unknown> {
  const first = r.violations[0];
  return {
    target: 'model',
    servers: opts.servers,
    workers: opts.workers,
    profile: opts.profile,
    distinctStates: r.distinctStates,
    depth: r.depth,
    elapsedMs: Math.round(r.elapsedMs),
    statesPerSecond: r.statesPerSecond,
    longestQuietRun: r.longestQuietRun === Infinity ? 'cycle' : r.longestQuietRun,
    verdict: r.verdict,
    ...(first === undefined
      ? {}
      : {
          invariant: first.invariant,
          witness: first.witness.message,
          trace: first.trace.map((t) => ({ step: t.index, task: t.task, row: t.row, label: t.label })),
        }),
    ...(opts.stopAtFirst ? {} : { violations: r.violations.map((v) => ({ invariant: v.invariant, steps: v.trace.length })) }),
  };
}

function toText(opts: ExploreOptions, r: ExploreResult): string[] {
  const lines = [
    `explore model ${configName(opts)}: ${r.verdict}`,
    `  ${r.distinctStates} distinct states (symmetry-reduced), ${r.transitions} transitions, depth ${r.depth},` +
      ` ${r.quiescentStates} quiescent, longest quiet run ${r.longestQuietRun}` +
      ` in ${Math.round(r.elapsedMs)} ms (${r.statesPerSecond} states/s)`,
  ];
  if (r.verdict === 'incomplete') lines.push(`  stopped at --max-states ${opts.maxStates}: raise it to finish`);
  for (const v of r.violations) lines.push('', ...formatViolation(v));
  return lines;
}
