/**
 * `npm run bench`: measured speed of exploration and bug finding, side by
 * side with the baseline a user would write with fast-check alone. Figures,
 * not tests: nothing here fails the build, and no test checks a time.
 * Prints tables and writes bench/results.json (docs/performance.md explains
 * every column). Each measurement runs in a child process of its own, so
 * peak memory and JIT warm-up are its own.
 *
 *   node dist/bench/bench.js [--quick | --full] [--runs N] [--seeds N] [--max-runs N]
 *                            [--only VARIANT[,VARIANT...]] [--section all|speed|bugs] [--out PATH]
 *                            [--update-docs] [--help]
 *   node dist/bench/bench.js --child SPEC   (internal) one measurement, prints JSON
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { EXIT, UsageError } from '../cli/usage-error.ts';
import { writeFileAtomic } from '../engine/fs.ts';
import { projectRoot } from '../engine/root.ts';
import { loadVariantsManifest, type VariantEntry } from '../engine/variants-manifest.ts';
import { GALLERY } from '../impl/state.ts';
import {
  assembleBug,
  benchRandomised,
  benchSearch,
  benchShortest,
  searchGaveUp,
  SHRINK_REPLAYS,
  type AttemptRecord,
  type BugBenchOptions,
  type BugBenchResult,
  type RandomisedPart,
  type SearchKind,
  type ShortestRecord,
  type ShrinkRecord,
} from './bugs.ts';
import { expectedInvariant } from './detect.ts';
import { bugEntries, HELP, parseBenchArgs, type BenchOptions } from './options.ts';
import { fmtDetection, fmtInt, fmtMs, fmtRatio, fmtShortest, fmtShrinkRatio, fmtSummary } from './report.ts';
import { IMPL_PROGRESS_BOUND } from '../engine/impl-system.ts';
import { PROGRESS_ID } from '../engine/system.ts';
import { MAX_STATES } from '../engine/state-set.ts';
import { EXPLORE_BENCHES, measureExplore, measureRate, RATE_BENCHES, type ExploreMeasure, type RateMeasure } from './speed.ts';
import { summarize, type DetectionSummary, type Summary } from './stats.ts';

// ---------------------------------------------------------------- children

type ChildSpec =
  | { readonly kind: 'explore'; readonly name: string; readonly maxStates: number }
  | { readonly kind: 'rate'; readonly name: string }
  | { readonly kind: 'bug'; readonly entry: VariantEntry; readonly options: BugBenchOptions }
  | { readonly kind: 'search'; readonly search: SearchKind; readonly entry: VariantEntry; readonly options: BugBenchOptions }
  | { readonly kind: 'shortest'; readonly entry: VariantEntry; readonly options: BugBenchOptions };

function child(spec: ChildSpec): void {
  let out: unknown;
  if (spec.kind === 'explore') {
    out = measureExplore(EXPLORE_BENCHES.find((b) => b.name === spec.name)!, spec.maxStates);
  } else if (spec.kind === 'rate') {
    out = measureRate(RATE_BENCHES.find((b) => b.name === spec.name)!);
  } else if (spec.kind === 'bug') {
    out = benchRandomised(spec.entry, spec.options, (line) => process.stderr.write(`bench:   ${line}\n`));
  } else if (spec.kind === 'shortest') {
    // Each bound proved on the way is a line of its own, so the parent keeps the last one if it stops this process.
    out = benchShortest(spec.entry, spec.options, (r) => process.stdout.write(`${BOUND_LINE}${JSON.stringify(r)}\n`));
  } else {
    out = benchSearch(spec.entry, spec.search, spec.options);
  }
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ out, cpuMs: Math.round((cpu.user + cpu.system) / 1000) }));
}

/** CPU time the children used, all together: close to the wall time on an idle machine. */
let childCpuMs = 0;

/** Run one measurement in a child process; throws when it fails or outlives `timeoutMs` (it is then killed). */
function runChild<T>(spec: ChildSpec, heapMb: number, timeoutMs?: number): T {
  const self = fileURLToPath(import.meta.url);
  const text = execFileSync(process.execPath, [`--max-old-space-size=${heapMb}`, self, '--child', JSON.stringify(spec)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
  });
  const r = JSON.parse(lastLine(text)) as { out: T; cpuMs: number };
  childCpuMs += r.cpuMs;
  return r.out;
}

/** A child's output: progress lines (BOUND_LINE ...), then its result, on the last line. */
function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l !== '');
  return lines[lines.length - 1] ?? '';
}

/** Prefix of the shortest-trace child's progress lines: a bound proved so far. */
const BOUND_LINE = 'bound ';

/**
 * The shortest trace of an entry, or a lower bound, in a child process
 * stopped after `shortestLimitMs`: then, or when it fails, the last bound it
 * proved (at least the trivial one: 0 steps, or K + 1 for LIVE-BOUNDED-PROGRESS).
 */
function shortestRun(e: VariantEntry, o: BenchOptions): ShortestRecord {
  log(`  ${e.variant} (${e.memory}): shortest trace (at most ${fmtInt(o.bug.shortestNodes)} nodes per search)`);
  const start = performance.now();
  try {
    return runChild<ShortestRecord>({ kind: 'shortest', entry: e, options: o.bug }, 8192, o.bug.shortestLimitMs);
  } catch (err) {
    const ms = Math.round(performance.now() - start);
    const stdout = String((err as { stdout?: unknown }).stdout ?? '');
    const proved = stdout
      .split('\n')
      .filter((l) => l.startsWith(BOUND_LINE))
      .map((l) => JSON.parse(l.slice(BOUND_LINE.length)) as ShortestRecord);
    const K = e.progressBound ?? IMPL_PROGRESS_BOUND;
    const last = proved[proved.length - 1] ?? {
      lower: expectedInvariant(e) === PROGRESS_ID ? K + 1 : 0,
      method: expectedInvariant(e) === PROGRESS_ID ? ('code-run' as const) : ('bfs' as const),
      K,
      nodes: 0,
      maxNodes: o.bug.shortestNodes,
      ms,
    };
    const timedOut = (err as { code?: string }).code === 'ETIMEDOUT' || ms >= o.bug.shortestLimitMs;
    return { ...last, ms, ...(timedOut ? { timedOut: true } : { error: errorText(err) }) };
  }
}

// ---------------------------------------------------------------- sections

interface ExploreResultRow {
  readonly name: string;
  readonly servers: number;
  readonly workers: number;
  readonly yield: boolean;
  /** The state cap of each run; undefined when the run was exhaustive by construction. */
  readonly cap?: number;
  readonly runs: readonly ExploreMeasure[];
  readonly summary: { readonly states: Summary; readonly ms: Summary; readonly statesPerSecond: Summary; readonly maxRssMb: Summary };
  readonly target: { readonly statesPerSecond?: number; readonly maxMb?: number };
}

interface RateResultRow {
  readonly name: string;
  readonly runsPerMeasure: number;
  readonly stepsPerRun: number;
  readonly runs: readonly RateMeasure[];
  readonly summary: { readonly steps: Summary; readonly ms: Summary; readonly stepsPerSecond: Summary };
  readonly target: { readonly stepsPerSecond?: number };
}

const log = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`);
};

function speedSection(o: BenchOptions): { explore: ExploreResultRow[]; rates: RateResultRow[] } {
  const explore: ExploreResultRow[] = [];
  for (const b of EXPLORE_BENCHES) {
    // The run without sleep sets stays capped in --full too: it only shows what they save.
    const cap = b.cap === undefined ? undefined : b.sleepSets === false ? (o.cap23 ?? b.cap) : o.cap23;
    const runs: ExploreMeasure[] = [];
    for (let i = 0; i < o.runs; i++) {
      log(`${b.name}${cap === undefined ? '' : ` (cap ${fmtInt(cap)} states)`}: run ${i + 1}/${o.runs}`);
      runs.push(runChild<ExploreMeasure>({ kind: 'explore', name: b.name, maxStates: cap ?? MAX_STATES }, cap === undefined ? 12_000 : 4096));
    }
    explore.push({
      name: b.name,
      servers: b.servers,
      workers: b.workers,
      yield: b.yield,
      ...(cap === undefined ? {} : { cap }),
      runs,
      summary: {
        states: summarize(runs.map((r) => r.states)),
        ms: summarize(runs.map((r) => r.ms)),
        statesPerSecond: summarize(runs.map((r) => r.statesPerSecond)),
        maxRssMb: summarize(runs.map((r) => r.maxRssMb)),
      },
      target: { ...(b.statesPerSecond === undefined ? {} : { statesPerSecond: b.statesPerSecond }), ...(b.maxMb === undefined ? {} : { maxMb: b.maxMb }) },
    });
  }
  const rates: RateResultRow[] = [];
  for (const b of RATE_BENCHES) {
    const runs: RateMeasure[] = [];
    for (let i = 0; i < o.runs; i++) {
      log(`${b.name}: run ${i + 1}/${o.runs}`);
      runs.push(runChild<RateMeasure>({ kind: 'rate', name: b.name }, 4096));
    }
    rates.push({
      name: b.name,
      runsPerMeasure: b.runs,
      stepsPerRun: b.steps,
      runs,
      summary: {
        steps: summarize(runs.map((r) => r.steps)),
        ms: summarize(runs.map((r) => r.ms)),
        stepsPerSecond: summarize(runs.map((r) => r.stepsPerSecond)),
      },
      target: b.stepsPerSecond === undefined ? {} : { stepsPerSecond: b.stepsPerSecond },
    });
  }
  return { explore, rates };
}

/** An entry whose measurement failed (its child process died): the message, instead of figures. */
interface BugFailure {
  readonly variant: string;
  readonly memory: string;
  readonly error: string;
}

/** A child's failure in a few words (its own stderr, inherited, has the details). */
function errorText(err: unknown): string {
  const e = err as { status?: number | null; signal?: string | null };
  if (typeof e.signal === 'string') return `its process was killed by ${e.signal}`;
  if (typeof e.status === 'number') return `its process exited with code ${e.status}`;
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}

/**
 * The runs of one deterministic search on an entry, each in its own child
 * under the time limit: at most `searchRepeats`, no more once the budget is
 * spent, and none after a run that was stopped or failed.
 */
function searchRuns(e: VariantEntry, search: SearchKind, o: BenchOptions): AttemptRecord[] {
  const out: AttemptRecord[] = [];
  const limit = o.bug.searchLimitMs;
  let spent = 0;
  while (out.length < o.bug.searchRepeats && (out.length === 0 || spent < (o.bug.searchBudgetMs ?? Infinity))) {
    log(`  ${e.variant} (${e.memory}): ${search === 'bfs' ? 'BFS' : 'bounded DFS'} run ${out.length + 1}`);
    const start = performance.now();
    try {
      const r = runChild<AttemptRecord>({ kind: 'search', search, entry: e, options: o.bug }, 4096, limit);
      out.push(r);
      spent += r.ms;
    } catch (err) {
      const ms = performance.now() - start;
      const timedOut = (err as { code?: string }).code === 'ETIMEDOUT' || ms >= limit;
      out.push(timedOut ? searchGaveUp(limit) : searchGaveUp(Math.round(ms), errorText(err)));
      break;
    }
  }
  return out;
}

function bugSection(o: BenchOptions): { results: BugBenchResult[]; failures: BugFailure[] } {
  const results: BugBenchResult[] = [];
  const failures: BugFailure[] = [];
  for (const e of bugEntries(loadVariantsManifest(), o.only)) {
    log(`bug ${e.variant} (${e.memory}, ${e.servers}x${e.workers}): ${o.seeds} seeds, at most ${fmtInt(o.bug.maxRuns)} runs each`);
    let part: RandomisedPart;
    try {
      part = runChild<RandomisedPart>({ kind: 'bug', entry: e, options: o.bug }, 4096);
    } catch (err) {
      failures.push({ variant: e.variant, memory: e.memory, error: errorText(err) });
      log(`  ${e.variant} (${e.memory}): failed: ${errorText(err)}`);
      continue;
    }
    results.push(assembleBug(e, part, searchRuns(e, 'bounded', o), searchRuns(e, 'bfs', o), shortestRun(e, o)));
  }
  return { results, failures };
}

// ---------------------------------------------------------------- report

/** The 2-second target of issue 5 for a gallery variant's median time to detection (its manifest strategy). */
export const DETECTION_TARGET_MS = 2000;

const STYLE = { head: [], border: [] };

function exploreTable(rows: readonly ExploreResultRow[], runs: number): string {
  const t = new Table({
    head: ['model explorer', 'states', 'verdict', `time (median [min–max] of ${runs})`, 'states/s', 'target', 'ratio', 'peak MB', 'bytes/state', 'limit', 'ratio'],
    style: STYLE,
  });
  for (const r of rows) {
    const last = r.runs[r.runs.length - 1]!;
    // A capped run may already have found a violation: `complete`, not the verdict, says it stopped short.
    const capped = !last.complete;
    const sps = r.summary.statesPerSecond;
    const mb = r.summary.maxRssMb.median;
    t.push([
      r.name,
      fmtSummary(r.summary.states),
      capped ? `${last.verdict === 'incomplete' ? '' : `${last.verdict}, `}stopped at the ${fmtInt(r.cap ?? last.states)}-state cap (not exhaustive)` : last.verdict,
      fmtSummary(r.summary.ms, fmtMs),
      fmtSummary(sps),
      r.target.statesPerSecond === undefined ? '-' : fmtInt(r.target.statesPerSecond),
      r.target.statesPerSecond === undefined ? '-' : (sps.median / r.target.statesPerSecond).toFixed(2),
      fmtSummary(r.summary.maxRssMb),
      fmtInt((mb * 1024 * 1024) / Math.max(r.summary.states.median, 1)),
      r.target.maxMb ?? '-',
      r.target.maxMb === undefined ? '-' : capped ? 'n/a (capped)' : (mb / r.target.maxMb).toFixed(2),
    ]);
  }
  return t.toString();
}

function rateTable(rows: readonly RateResultRow[], runs: number): string {
  const t = new Table({
    head: ['step rate (random strategy)', 'runs x steps', 'steps', 'runs ending in a violation', `time (median of ${runs})`, 'steps/s', 'target', 'ratio'],
    style: STYLE,
  });
  for (const r of rows) {
    const sps = r.summary.stepsPerSecond;
    t.push([
      r.name,
      `${r.runsPerMeasure} x ${r.stepsPerRun}`,
      fmtSummary(r.summary.steps),
      r.runs[0]!.violations,
      fmtSummary(r.summary.ms, fmtMs),
      fmtSummary(sps),
      r.target.stepsPerSecond === undefined ? '-' : fmtInt(r.target.stepsPerSecond),
      r.target.stepsPerSecond === undefined ? '-' : (sps.median / r.target.stepsPerSecond).toFixed(2),
    ]);
  }
  return t.toString();
}

const bugName = (b: BugBenchResult): string => `${b.variant} (${b.memory}, ${b.servers}x${b.workers})`;

/** The best (smallest median time) of the engine's strategies that found the bug. */
export function bestEngine(b: BugBenchResult): { readonly name: string; readonly ms: number } | undefined {
  const cands: [string, DetectionSummary][] = [
    ['PCT', b.summary.pct],
    ['bounded DFS', b.summary.bounded],
    ['BFS', b.summary.bfs],
  ];
  let best: { name: string; ms: number } | undefined;
  for (const [name, s] of cands) {
    const m = s.ms?.median;
    if (m !== undefined && (best === undefined || m < best.ms)) best = { name, ms: m };
  }
  return best;
}

/**
 * A search's cell (runs or time): its figure when it found the bug, else
 * why not: it failed, was stopped at its time limit, stopped at another
 * invariant first, stopped at its node cap, or completed (every
 * interleaving within its bounds) without finding it.
 */
function searchCell(b: BugBenchResult, kind: 'bounded' | 'bfs', what: 'runs' | 'ms', o: BenchOptions): string {
  const attempts = b.attempts[kind];
  const summary = b.summary[kind];
  const first = attempts[0]!;
  const failed = attempts.find((a) => a.error !== undefined);
  if (failed !== undefined) return `failed: ${failed.error}`;
  if (attempts.some((a) => a.timedOut === true)) return `not finished within ${fmtMs(o.bug.searchLimitMs)} (stopped)`;
  const times = attempts.length > 1 ? ` (x${attempts.length})` : '';
  if (summary.found > 0) {
    if (what === 'ms') return `${fmtDetection(summary, 'ms', '')}${times}`;
    return kind === 'bfs' ? `1 search (shortest trace: ${first.steps} steps)` : fmtDetection(summary, 'runs', 'paths');
  }
  const why =
    first.otherViolations > 0
      ? 'stopped at another invariant first'
      : first.complete === true
        ? `complete to depth ${b.maxSteps}, none found`
        : `stopped at the ${fmtInt(o.bug.maxNodes)}-${kind === 'bfs' ? 'state' : 'node'} cap, none found`;
  return what === 'ms' ? `${fmtSummary(summarize(attempts.map((a) => a.ms)), fmtMs)}${times}: ${why}` : why;
}

function runsTable(rows: readonly BugBenchResult[], o: BenchOptions): string {
  const seeds = o.seeds;
  const t = new Table({
    head: [
      'runs to detection',
      'invariant',
      `(a) fast-check baseline: runs (${seeds} seeds)`,
      `(b) PCT: runs (${seeds} seeds)`,
      '(c) bounded DFS: paths',
      '(c) BFS',
    ],
    style: STYLE,
  });
  for (const b of rows) {
    t.push([
      bugName(b),
      b.invariant,
      fmtDetection(b.summary.baseline, 'runs', 'runs'),
      fmtDetection(b.summary.pct, 'runs', 'runs'),
      searchCell(b, 'bounded', 'runs', o),
      searchCell(b, 'bfs', 'runs', o),
    ]);
  }
  return t.toString();
}

function timeTable(rows: readonly BugBenchResult[], o: BenchOptions): string {
  const seeds = o.seeds;
  const t = new Table({
    head: [
      'time to detection',
      `(a) baseline (${seeds} seeds)`,
      `(b) PCT (${seeds} seeds)`,
      '(c) bounded DFS',
      '(c) BFS',
      'best of b, c',
      'baseline / best',
      `median < ${DETECTION_TARGET_MS / 1000} s (manifest strategy)`,
    ],
    style: STYLE,
  });
  for (const b of rows) {
    const best = bestEngine(b);
    const base = b.summary.baseline;
    let ratio = '-';
    if (best !== undefined) {
      const floor = Math.max(best.ms, 0.1);
      if (base.ms?.median !== undefined) ratio = fmtRatio(base.ms.median / floor);
      else if (base.gaveUpAfter !== undefined) ratio = fmtRatio(base.gaveUpAfter.ms / floor, true);
    }
    const m = b.summary.manifest.ms?.median;
    const verdict = m === undefined ? 'FAIL (not found)' : `${m < DETECTION_TARGET_MS ? 'PASS' : 'FAIL'} (${b.manifestStrategy}: ${fmtMs(m)})`;
    t.push([
      bugName(b),
      fmtDetection(base, 'ms', ''),
      fmtDetection(b.summary.pct, 'ms', ''),
      searchCell(b, 'bounded', 'ms', o),
      searchCell(b, 'bfs', 'ms', o),
      best === undefined ? '-' : `${best.name} ${fmtMs(best.ms)}`,
      ratio,
      verdict,
    ]);
  }
  return t.toString();
}

function shrinkTable(rows: readonly BugBenchResult[]): string {
  const t = new Table({
    head: ['shrink quality (steps)', 'shortest', 'engine shrinker on PCT runs: before -> after', 'after / shortest', 'fast-check shrinker on baseline runs: before -> after', 'after / shortest'],
    style: STYLE,
  });
  const side = (xs: readonly ShrinkRecord[], shortest: ShortestRecord, budget: string): [string, string] => {
    if (xs.length === 0) return ['-', '-'];
    const before = summarize(xs.map((x) => x.before));
    const after = summarize(xs.map((x) => x.after));
    const time = summarize(xs.map((x) => x.ms));
    const stopped = xs.filter((x) => x.stopped === true).length;
    const text = `${fmtSummary(before)} -> ${fmtSummary(after)} (${xs.length} run${xs.length === 1 ? '' : 's'}, ${fmtSummary(time, fmtMs)} each${stopped > 0 ? `, ${stopped} stopped at ${budget}` : ''})`;
    return [text, fmtShrinkRatio(after, shortest)];
  };
  for (const b of rows) {
    const s = b.shrink.shortest;
    t.push([bugName(b), fmtShortest(s), ...side(b.shrink.engine, s, `the ${fmtInt(SHRINK_REPLAYS)}-replay budget`), ...side(b.shrink.fastCheck, s, 'the time limit')]);
  }
  return t.toString();
}

// ---------------------------------------------------------------- main

function machine() {
  const c = cpus();
  let commit: string | undefined;
  let dirty: boolean | undefined;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: projectRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: projectRoot(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
  } catch {
    // Not a git checkout: the results simply do not name a commit.
  }
  return {
    cpuModel: c[0]?.model ?? 'unknown',
    nproc: availableParallelism(),
    cpus: c.length,
    totalMemMb: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${platform()} ${release()}`,
    ...(commit === undefined ? {} : { commit, dirty }),
  };
}

function main(o: BenchOptions): void {
  if (o.updateDocs) docsBlock();
  const start = performance.now();
  const m = machine();
  const loadStart = loadavg();
  log(`${o.mode} run on ${m.cpuModel} (${m.nproc} cores), node ${m.node}; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')}`);
  const speed = o.section === 'bugs' ? undefined : speedSection(o);
  const section = o.section === 'speed' ? undefined : bugSection(o);
  const bugs = section?.results;
  const elapsedMs = Math.round(performance.now() - start);
  const loadEnd = loadavg();
  const notMeasured = GALLERY.filter((g) => g.name !== 'v0.3' && !loadVariantsManifest().some((e) => e.variant === g.name && expectedInvariant(e) !== undefined));

  const results = {
    generatedAt: new Date().toISOString(),
    machine: { ...m, loadAverageStart: loadStart, loadAverageEnd: loadEnd },
    options: { ...o, out: relative(projectRoot(), o.out) },
    elapsedMs,
    childCpuMs,
    ...(speed === undefined ? {} : speed),
    ...(section === undefined ? {} : { bugs: section.results, bugFailures: section.failures }),
  };
  writeFileAtomic(o.out, `${JSON.stringify(results, null, 2)}\n`);

  const lines: string[] = [];
  lines.push(
    `umcg-verify bench (${o.mode}): ${m.cpuModel}, ${m.nproc} cores, node ${m.node}, load average ${loadStart[0]!.toFixed(2)} at start, ${loadEnd[0]!.toFixed(2)} at end; took ${fmtMs(elapsedMs)} (${fmtMs(childCpuMs)} of CPU time)`,
  );
  if (speed !== undefined) {
    lines.push(exploreTable(speed.explore, o.runs), rateTable(speed.rates, o.runs));
    lines.push('ratio: states/s or steps/s over target (>= 1 meets it); peak MB over limit (<= 1 meets it). One core per measurement.');
    if (o.cap23 !== undefined) {
      lines.push(`2x3 stops at ${fmtInt(o.cap23)} states in this mode: its rate and bytes/state are for that prefix; \`npm run bench -- --full\` explores all of it`);
    }
  }
  if (bugs !== undefined && bugs.length > 0) {
    lines.push(runsTable(bugs, o), timeTable(bugs, o), shrinkTable(bugs));
    lines.push(
      `Cells: median [min–max]; a baseline or PCT attempt gives up after ${fmtInt(o.bug.maxRuns)} runs or ${fmtMs(o.bug.attemptLimitMs)}; a search after ${fmtInt(o.bug.maxNodes)} nodes or ${fmtMs(o.bug.searchLimitMs)}.`,
      'The searches are deterministic: repeated (xN) only to time them. baseline / best: median times.',
      `shortest: exact, or a lower bound (>=) proved by a search of at most ${fmtInt(o.bug.shortestNodes)} nodes or ${fmtMs(o.bug.shortestLimitMs)} (docs/performance.md); after / shortest: the median after shrinking (max in brackets), "<=" over a lower bound.`,
    );
  }
  for (const f of section?.failures ?? []) lines.push(`${f.variant} (${f.memory}): not measured, the bench failed: ${f.error}`);
  if (notMeasured.length > 0) lines.push(`gallery variants with no manifest entry expecting a violation (not measured): ${notMeasured.map((g) => g.name).join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\nresults: ${relative(process.cwd(), o.out) || o.out}\n`);
  if (o.updateDocs) {
    updateDocs(lines.join('\n'));
    process.stdout.write(`docs: ${relative(process.cwd(), DOCS_PATH)} (Last measured)\n`);
  }
}

const DOCS_PATH = join(projectRoot(), 'docs', 'performance.md');
const BEGIN = '<!-- bench:begin (npm run bench -- --update-docs rewrites this block) -->';
const END = '<!-- bench:end -->';

/** docs/performance.md and where its "Last measured" block starts and ends (checked before a long run). */
function docsBlock(): { readonly doc: string; readonly at: number; readonly end: number } {
  const doc = readFileSync(DOCS_PATH, 'utf8');
  const at = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (at < 0 || end < at) throw new UsageError(`bench: --update-docs: ${relative(process.cwd(), DOCS_PATH)} has no bench:begin ... bench:end block`);
  return { doc, at, end };
}

/** Replace the text between the markers of docs/performance.md with the printed tables. */
function updateDocs(text: string): void {
  const { doc, at, end } = docsBlock();
  writeFileAtomic(DOCS_PATH, `${doc.slice(0, at + BEGIN.length)}\n\n\`\`\`text\n${text}\n\`\`\`\n\n${doc.slice(end)}`);
}

const argv = process.argv.slice(2);
if (argv[0] === '--child' && argv[1] !== undefined) {
  child(JSON.parse(argv[1]) as ChildSpec);
} else {
  try {
    const o = parseBenchArgs(argv);
    if (o === 'help') process.stdout.write(`${HELP}\n`);
    else main(o);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`umcg-verify ${err.message}\n`);
    process.exitCode = EXIT.badInput;
  }
}
