/**
 * `npm run bench`: speed and memory figures against the project's targets.
 * Figures, not tests: nothing here fails the build. Run on an idle machine;
 * each exploration runs in its own child process so peak memory is its own.
 *
 *   node dist/bench/bench.js              all benchmarks
 *   node dist/bench/bench.js --child CFG  (internal) one exploration, prints JSON
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { explore } from '../engine/explore.ts';
import { DEFAULT_PROGRESS_BOUND } from '../properties/registry.ts';

interface Bench {
  readonly name: string;
  readonly servers: number;
  readonly workers: number;
  readonly yield: boolean;
  /** Target: distinct states per second (one core), and peak memory in MB. */
  readonly statesPerSecond?: number;
  readonly maxMb?: number;
}

const BENCHES: readonly Bench[] = [
  { name: 'model 2x2 (no yield)', servers: 2, workers: 2, yield: false },
  // The target configuration. Workers do not yield here: with yield,
  // v0.3 breaks INV-LIST-NO-DUPLICATE within 17 steps and the full space
  // beyond is far larger (see docs).
  { name: 'model 2x3 (no yield)', servers: 2, workers: 3, yield: false, statesPerSecond: 100_000, maxMb: 2048 },
];

function child(spec: string): void {
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
    maxStates: 50_000_000,
    stopAtFirst: false,
  });
  const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(
    JSON.stringify({ states: r.distinctStates, ms: Math.round(r.elapsedMs), sps: r.statesPerSecond, verdict: r.verdict, maxRssMb }),
  );
}

function main(): void {
  const self = fileURLToPath(import.meta.url);
  const table = new Table({
    head: ['benchmark', 'states', 'verdict', 'time', 'states/s', 'target', 'ratio', 'peak MB', 'limit', 'ratio'],
    style: { head: [], border: [] },
  });
  for (const b of BENCHES) {
    const out = execFileSync(process.execPath, ['--max-old-space-size=4096', self, '--child', b.name], { encoding: 'utf8' });
    const r = JSON.parse(out) as { states: number; ms: number; sps: number; verdict: string; maxRssMb: number };
    table.push([
      b.name,
      r.states,
      r.verdict,
      `${(r.ms / 1000).toFixed(1)} s`,
      r.sps,
      b.statesPerSecond ?? '-',
      b.statesPerSecond === undefined ? '-' : (r.sps / b.statesPerSecond).toFixed(2),
      r.maxRssMb,
      b.maxMb ?? '-',
      b.maxMb === undefined ? '-' : (r.maxRssMb / b.maxMb).toFixed(2),
    ]);
  }
  process.stdout.write(`umcg-verify bench (node ${process.version}, one core per exploration)\n${table.toString()}\n`);
  process.stdout.write('ratio: states/s over target (>= 1 meets it); peak MB over limit (<= 1 meets it)\n');
}

const args = process.argv.slice(2);
if (args[0] === '--child' && args[1] !== undefined) child(args[1]);
else main();
