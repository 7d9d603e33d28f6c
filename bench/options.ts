/**
 * The bench's command line, and which manifest entries its bug section
 * measures. Kept apart from bench.ts (which runs on import) so tests can
 * read them.
 */
import { isAbsolute, join } from 'node:path';
import { choiceOption, intOption, parse } from '../cli/args.ts';
import { UsageError } from '../cli/usage-error.ts';
import { projectRoot } from '../engine/root.ts';
import type { VariantEntry } from '../engine/variants-manifest.ts';
import { GALLERY } from '../impl/state.ts';
import type { BugBenchOptions } from './bugs.ts';
import { expectedInvariant } from './detect.ts';
import { EXPLORE_BENCHES } from './speed.ts';

export const HELP = `usage: npm run bench -- [options]        (or: node dist/bench/bench.js [options])
  --quick              a smoke run (about 3 minutes of CPU): 3 runs per speed figure, 5 seeds,
                       2x3 capped at 300,000 states; below the issue's minimums
  --full               2x3 explored exhaustively (152M states: about 20 minutes of CPU and
                       under 2 GB per run),
                       searches timed 5 times, every PCT failure shrunk (an hour or more)
  --runs N             runs per speed figure (default 5)
  --seeds N            seeds per randomised strategy and bug (default 10)
  --max-runs N         runs per seed before an attempt gives up (default 2000)
  --search-limit S     seconds before a search run is stopped (default 120)
  --shortest-states N  node cap of the search for each entry's shortest trace (default 400,000;
                       --quick 100,000; --full 2,000,000): past it, a lower bound
  --shortest-limit S   seconds before that search is stopped, keeping the bound proved so far
                       (default 300; --quick 60; --full 3600)
  --only V[,V...]      only these gallery variants in the bug section
  --section S          all (default), speed (explorer and step rates) or bugs
  --out PATH           where to write the results (default bench/results.json)
  --update-docs        also put the printed tables in docs/performance.md ("Last measured")`;

/** A parsed command line. */
export interface BenchOptions {
  readonly mode: 'default' | 'quick' | 'full';
  readonly runs: number;
  readonly seeds: number;
  readonly section: 'all' | 'speed' | 'bugs';
  readonly only?: readonly string[];
  readonly out: string;
  /** Rewrite the "Last measured" block of docs/performance.md with this run's tables. */
  readonly updateDocs: boolean;
  /** 2x3 state cap (undefined: exhaustive). */
  readonly cap23?: number;
  readonly bug: BugBenchOptions;
}

export function parseBenchArgs(args: readonly string[]): BenchOptions | 'help' {
  const cmd = 'bench';
  const { values } = parse(cmd, args, {
    quick: { type: 'boolean' },
    full: { type: 'boolean' },
    runs: { type: 'string' },
    seeds: { type: 'string' },
    'max-runs': { type: 'string' },
    'search-limit': { type: 'string' },
    'shortest-states': { type: 'string' },
    'shortest-limit': { type: 'string' },
    only: { type: 'string' },
    section: { type: 'string' },
    out: { type: 'string' },
    'update-docs': { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help === true) return 'help';
  if (values.quick === true && values.full === true) throw new UsageError(`${cmd}: --quick and --full exclude each other`);
  const mode = values.quick === true ? 'quick' : values.full === true ? 'full' : 'default';
  const only = values.only?.split(',').map((x) => x.trim());
  for (const v of only ?? []) {
    if (!GALLERY.some((g) => g.name === v)) throw new UsageError(`${cmd}: unknown variant '${v}' in --only (known: ${GALLERY.map((g) => g.name).join(', ')})`);
  }
  const seeds = intOption(cmd, 'seeds', values.seeds, mode === 'quick' ? 5 : 10, 1, 1000);
  const out = values.out ?? join(projectRoot(), 'bench', 'results.json');
  return {
    mode,
    runs: intOption(cmd, 'runs', values.runs, mode === 'quick' ? 3 : 5, 1, 100),
    seeds,
    section: choiceOption(cmd, 'section', values.section, 'all', ['all', 'speed', 'bugs'] as const),
    ...(only === undefined ? {} : { only }),
    out: isAbsolute(out) ? out : join(process.cwd(), out),
    updateDocs: values['update-docs'] === true,
    ...(mode === 'full' ? {} : { cap23: mode === 'quick' ? 300_000 : EXPLORE_BENCHES.find((b) => b.cap !== undefined)!.cap! }),
    bug: {
      seeds,
      maxRuns: intOption(cmd, 'max-runs', values['max-runs'], 2000, 1, 10_000_000),
      searchRepeats: mode === 'quick' ? 1 : 5,
      ...(mode === 'full' ? {} : { searchBudgetMs: 20_000 }),
      maxNodes: 2_000_000,
      shrinkSeeds: mode === 'quick' ? 1 : mode === 'full' ? seeds : 3,
      fcShrinkSeeds: mode === 'full' ? 3 : 1,
      fcShrinkLimitMs: mode === 'quick' ? 10_000 : mode === 'full' ? 300_000 : 20_000,
      searchLimitMs: 1000 * intOption(cmd, 'search-limit', values['search-limit'], mode === 'quick' ? 30 : mode === 'full' ? 1800 : 120, 1, 86_400),
      attemptLimitMs: mode === 'quick' ? 10_000 : mode === 'full' ? 300_000 : 30_000,
      shortestNodes: intOption(cmd, 'shortest-states', values['shortest-states'], mode === 'quick' ? 100_000 : mode === 'full' ? 2_000_000 : 400_000, 1, 50_000_000),
      shortestLimitMs:
        1000 * intOption(cmd, 'shortest-limit', values['shortest-limit'], mode === 'quick' ? 60 : mode === 'full' ? 3600 : 300, 1, 86_400),
    },
  };
}

/** The manifest entries the bug section measures: every one that expects a violation. */
export function bugEntries(manifest: readonly VariantEntry[], only?: readonly string[]): VariantEntry[] {
  return manifest.filter((e) => expectedInvariant(e) !== undefined && (only === undefined || only.includes(e.variant)));
}
