/**
 * `npm run bench`: speed and memory figures against the project's targets.
 * Figures, not tests: nothing here fails the build. Run on an idle machine;
 * each exploration runs in its own child process so peak memory is its own.
 *
 *   node dist/bench/bench.js              all benchmarks (2x3 capped, see below)
 *   node dist/bench/bench.js --full       2x3 explored exhaustively (about 10 minutes and 5 GB)
 *   node dist/bench/bench.js --child CFG [--full]  (internal) one run, prints JSON
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { explore } from '../engine/explore.ts';
import { makeImplSystem } from '../engine/impl-system.ts';
import { makeModelSystem } from '../engine/model-system.ts';
import { Rng, runSeed } from '../engine/random.ts';
import { randomScheduler } from '../engine/strategies/random.ts';
import { runScheduled } from '../engine/strategies/run.ts';
import type { StepSystem } from '../engine/system.ts';
import { DEFAULT_PROGRESS_BOUND } from '../properties/registry.ts';

interface Bench {
  readonly name: string;
  readonly servers: number;
  readonly workers: number;
  readonly yield: boolean;
  /** Target: distinct states per second (one core), and peak memory in MB. */
  readonly statesPerSecond?: number;
  readonly maxMb?: number;
  /** Stop after this many states unless --full (the run is then not exhaustive). */
  readonly cap?: number;
}

const BENCHES: readonly Bench[] = [
  { name: 'model 2x2 (no yield)', servers: 2, workers: 2, yield: false },
  // The target configuration (workers do not yield: with yield the
  // space is far larger). Since blocking calls are modelled as the wait loop
  // they are in v0.3, the full 2x3 space has about 55 million states and
  // needs about 5 GB: the default run stops at 10 million states and reports
  // the rate and the bytes per state; --full explores all of it.
  { name: 'model 2x3 (no yield)', servers: 2, workers: 3, yield: false, statesPerSecond: 100_000, maxMb: 2048, cap: 10_000_000 },
];

/**
 * Step rates of the random strategy: a fixed seeded run (`runs` runs of
 * `steps` scheduled steps, then the quiet phase), every check of a run on
 * (for impl under SC: REFINEMENT and every registry invariant on the
 * abstract state). A run ends at its first violation; its steps count.
 */
interface RateBench {
  readonly name: string;
  readonly system: () => StepSystem<unknown, unknown>;
  readonly runs: number;
  readonly steps: number;
  /** Target: steps per second (one core). */
  readonly stepsPerSecond?: number;
}

const RATES: readonly RateBench[] = [
  {
    name: 'impl random steps/s (2x3, SC, refinement + all invariants on)',
    system: () =>
      makeImplSystem({ servers: 2, workers: 3, memory: 'sc', profile: 'contract', yield: false, locks: false, envBudget: 0 }) as unknown as StepSystem<unknown, unknown>,
    runs: 200,
    steps: 500,
    stepsPerSecond: 100_000,
  },
  {
    name: 'model random steps/s (2x3, all invariants on)',
    system: () =>
      makeModelSystem({ servers: 2, workers: 3, profile: 'contract', yield: false, locks: false, envBudget: 0 }) as unknown as StepSystem<unknown, unknown>,
    runs: 200,
    steps: 500,
  },
];

function rateChild(b: RateBench): void {
  const system = b.system();
  let steps = 0;
  let violations = 0;
  const start = performance.now();
  for (let i = 0; i < b.runs; i++) {
    const run = runScheduled(system, randomScheduler(new Rng(runSeed(1, i))), { maxSteps: b.steps });
    steps += run.trace.length;
    if (run.violation !== null) violations++;
  }
  const ms = performance.now() - start;
  process.stdout.write(JSON.stringify({ steps, ms: Math.round(ms), sps: Math.round(steps / (ms / 1000)), violations }));
}

function child(spec: string, full: boolean): void {
  const rate = RATES.find((x) => x.name === spec);
  if (rate !== undefined) return rateChild(rate);
  const b = BENCHES.find((x) => x.name === spec);
  if (b === undefined) throw new Error(`unknown bench ${spec}`);
  const r = explore({
    servers: b.servers,
    workers: b.workers,
    profile: 'contract',
    yield: b.yield,
    locks: false,
    envBudget: 0,
    progressBound: DEFAULT_PROGRESS_BOUND,
    maxStates: full || b.cap === undefined ? 100_000_000 : b.cap,
    stopAtFirst: false,
  });
  const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(
    JSON.stringify({ states: r.distinctStates, ms: Math.round(r.elapsedMs), sps: r.statesPerSecond, verdict: r.verdict, maxRssMb }),
  );
}

function main(full: boolean): void {
  const self = fileURLToPath(import.meta.url);
  const table = new Table({
    head: ['benchmark', 'states', 'verdict', 'time', 'states/s', 'target', 'ratio', 'peak MB', 'bytes/state', 'limit', 'ratio'],
    style: { head: [], border: [] },
  });
  for (const b of BENCHES) {
    const out = execFileSync(process.execPath, [`--max-old-space-size=${full ? 12000 : 4096}`, self, '--child', b.name, ...(full ? ['--full'] : [])], {
      encoding: 'utf8',
    });
    const r = JSON.parse(out) as { states: number; ms: number; sps: number; verdict: string; maxRssMb: number };
    table.push([
      b.name,
      r.states,
      r.verdict === 'incomplete' ? `stopped at ${r.states} (not exhaustive)` : r.verdict,
      `${(r.ms / 1000).toFixed(1)} s`,
      r.sps,
      b.statesPerSecond ?? '-',
      b.statesPerSecond === undefined ? '-' : (r.sps / b.statesPerSecond).toFixed(2),
      r.maxRssMb,
      Math.round((r.maxRssMb * 1024 * 1024) / Math.max(r.states, 1)),
      b.maxMb ?? '-',
      b.maxMb === undefined ? '-' : r.verdict === 'incomplete' ? 'n/a (capped)' : (r.maxRssMb / b.maxMb).toFixed(2),
    ]);
  }
  const rates = new Table({
    head: ['benchmark', 'runs x steps', 'steps', 'runs ending in a violation', 'time', 'steps/s', 'target', 'ratio'],
    style: { head: [], border: [] },
  });
  for (const b of RATES) {
    const out = execFileSync(process.execPath, [self, '--child', b.name], { encoding: 'utf8' });
    const r = JSON.parse(out) as { steps: number; ms: number; sps: number; violations: number };
    rates.push([
      b.name,
      `${b.runs} x ${b.steps}`,
      r.steps,
      r.violations,
      `${(r.ms / 1000).toFixed(1)} s`,
      r.sps,
      b.stepsPerSecond ?? '-',
      b.stepsPerSecond === undefined ? '-' : (r.sps / b.stepsPerSecond).toFixed(2),
    ]);
  }
  process.stdout.write(`umcg-verify bench (node ${process.version}, one core per exploration)\n${table.toString()}\n${rates.toString()}\n`);
  process.stdout.write('ratio: states/s or steps/s over target (>= 1 meets it); peak MB over limit (<= 1 meets it)\n');
  if (!full) {
    process.stdout.write('2x3 stopped at its cap: its peak MB is for that many states; run `npm run bench -- --full` for the exhaustive figure\n');
  }
}

const args = process.argv.slice(2);
const full = args.includes('--full');
if (args[0] === '--child' && args[1] !== undefined) child(args[1], full);
else main(full);
