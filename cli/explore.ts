/**
 * `umcg-verify explore --target model|impl --servers S --workers W [options] [--json]`
 *
 * Exhaustive breadth-first exploration of the abstract model (`model`, the
 * symmetry-reduced explorer of engine/explore.ts) or of the detailed
 * implementation (`impl`: the generic breadth-first search of
 * engine/strategies/bfs.ts over engine/impl-system.ts, exact state keys).
 * Exit 0 when every applicable invariant holds, 1 on a violation (with the
 * shortest trace), 2 on bad input, 3 when --max-states stopped the search
 * first.
 */
import { explore, type ExploreOptions, type ExploreResult } from '../engine/explore.ts';
import { explorerToken } from '../engine/explore-token.ts';
import { MAX_STATES } from '../engine/state-set.ts';
import { formatViolation } from '../engine/format.ts';
import { describeImplChecks, IMPL_CHECK_IDS, IMPL_PROGRESS_BOUND, makeImplSystem, REFINEMENT_ID, type ImplChoice, type ImplSystem } from '../engine/impl-system.ts';
import { configName } from '../engine/manifest.ts';
import { encodeToken } from '../engine/replay.ts';
import { bfsSearch } from '../engine/strategies/bfs.ts';
import { modelVariantName } from '../engine/model-system.ts';
import { guardInternalErrors, selects } from '../engine/system.ts';
import { IMPL_VARIANTS, MEMORY_MODELS, modelVariant, variantByName } from '../engine/targets.ts';
import type { ImplState } from '../impl/state.ts';
import { MODEL_VARIANTS } from '../model/types.ts';
import { DEFAULT_PROGRESS_BOUND } from '../properties/registry.ts';
import { choiceOption, CONFIG_OPTIONS, intOption, parse, parseConfig } from './args.ts';
import { EXIT, UsageError } from './usage-error.ts';

export const EXIT_INCOMPLETE = 3;

/** The model's named fix sets, `--variant` of `--target model`. */
const MODEL_VARIANT_NAMES = Object.keys(MODEL_VARIANTS) as (keyof typeof MODEL_VARIANTS)[];

const HELP = `usage: umcg-verify explore --target model|impl --servers S --workers W [--variant V]
         [--profile contract|adversarial] [--no-yield] [--locks] [--env-budget N]
         [--progress-bound K] [--max-states N] [--all] [--only ID[,ID...]] [--json]
         model only: [--no-sleep-sets]
         impl only: [--memory sc|tso] [--cpus N] (no --all)
  --variant: model v0.3 (default) or FIXED (v0.3 with the fixes of docs/bugs/FIXED.md,
             model/README.md); impl v0.3 or a gallery variant (impl/state.ts GALLERY)
  --max-states N  stop after N distinct states (default 10,000,000; model: at most 4,294,967,294,
                  impl: at most 100,000,000); the run is then not exhaustive (exit 3 when no
                  violation was found)
  --no-sleep-sets model: take every enabled transition. By default sleep sets skip transitions
                  whose target is reached anyway (docs/explorer.md): the same states, depths,
                  traces and violations, fewer transitions ("skippedTransitions" in --json)
  --json          one JSON object; for --target model its "complete" is true only when every
                  reachable state was expanded, and false when --max-states or (without --all)
                  the first violation stopped the search, with "stoppedBy": "max-states" or
                  "violation"; "storeBytes" and "diskBytes" are the state store in memory and in
                  its temporary files (removed on exit); "cpuMs" is the CPU time the run took
                  (below "elapsedMs" on a busy machine), "livenessMs" the part of "elapsedMs"
                  spent on LIVE-BOUNDED-PROGRESS after the search`;

/** Default state cap of `--target impl` (exact keys: no symmetry reduction). */
export const IMPL_MAX_STATES = 2_000_000;

export async function exploreCommand(args: readonly string[]): Promise<number> {
  const cmd = 'explore';
  const { values } = parse(cmd, args, {
    ...CONFIG_OPTIONS,
    target: { type: 'string' },
    variant: { type: 'string' },
    'max-states': { type: 'string' },
    all: { type: 'boolean' },
    'no-sleep-sets': { type: 'boolean' },
    memory: { type: 'string' },
    cpus: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.pass;
  }
  const target = choiceOption(cmd, 'target', values.target, 'model', ['model', 'impl'] as const);
  if (target === 'impl') {
    if (values['no-sleep-sets'] !== undefined) throw new UsageError('explore: --no-sleep-sets applies to --target model');
    return exploreImpl(values);
  }
  if (values.memory !== undefined || values.cpus !== undefined) throw new UsageError('explore: --memory and --cpus apply to --target impl');
  const c = parseConfig(cmd, values, { requireCounts: true, defaultWorkers: 1, progressBound: DEFAULT_PROGRESS_BOUND });
  const variant = choiceOption(cmd, 'variant', values.variant, 'v0.3', MODEL_VARIANT_NAMES);
  const opts: ExploreOptions = {
    ...c,
    ...modelVariant(variant),
    maxStates: intOption(cmd, 'max-states', values['max-states'], 10_000_000, 1, MAX_STATES),
    stopAtFirst: values.all !== true,
    sleepSets: values['no-sleep-sets'] !== true,
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
    variant: modelVariantName(opts.fixes),
    servers: opts.servers,
    workers: opts.workers,
    profile: opts.profile,
    distinctStates: r.distinctStates,
    depth: r.depth,
    transitions: r.transitions,
    skippedTransitions: r.skippedTransitions,
    sleepSets: r.sleepSets,
    elapsedMs: Math.round(r.elapsedMs),
    cpuMs: Math.round(r.cpuMs),
    livenessMs: Math.round(r.livenessMs),
    statesPerSecond: r.statesPerSecond,
    longestQuietRun: r.longestQuietRun === Infinity ? 'cycle' : r.longestQuietRun,
    verdict: r.verdict,
    complete: r.complete,
    ...(r.stoppedBy === null ? {} : { stoppedBy: r.stoppedBy }),
    storeBytes: r.storeBytes,
    diskBytes: r.diskBytes,
    parts: r.partCounts,
    ...(first === undefined
      ? {}
      : {
          invariant: first.invariant,
          witness: first.witness.message,
          trace: first.trace.map((t) => ({ step: t.index, task: t.task, row: t.row, label: t.label })),
          replay: explorerToken(opts, first),
        }),
    ...(opts.stopAtFirst ? {} : { violations: r.violations.map((v) => ({ invariant: v.invariant, steps: v.trace.length, replay: explorerToken(opts, v) })) }),
  };
}

function toText(opts: ExploreOptions, r: ExploreResult): string[] {
  const lines = [
    `explore model ${configName(opts)}: ${r.verdict}`,
    `  ${r.distinctStates} distinct states (symmetry-reduced), ${r.transitions} transitions` +
      `${r.skippedTransitions > 0 ? ` (${r.skippedTransitions} more skipped by sleep sets${r.sleepSets ? '' : ', until a dead end turned them off'})` : ''}, depth ${r.depth},` +
      ` ${r.quiescentStates} quiescent, longest quiet run ${r.longestQuietRun}` +
      ` in ${Math.round(r.elapsedMs)} ms (${r.statesPerSecond} states/s; ${Math.round(r.cpuMs)} ms of CPU` +
      `${r.livenessMs > 0 ? `, of which ${Math.round(r.livenessMs)} ms for LIVE-BOUNDED-PROGRESS` : ''})`,
  ];
  if (r.stoppedBy === 'max-states') lines.push(`  stopped at --max-states ${opts.maxStates}: not exhaustive, raise it to finish`);
  else if (r.stoppedBy === 'violation') lines.push('  stopped at the first violation: not exhaustive (--all explores everything)');
  for (const v of r.violations) lines.push('', ...formatViolation(v), `replay: umcg-verify replay ${explorerToken(opts, v)}`);
  return lines;
}

type ExploreValues = Readonly<Record<string, string | boolean | undefined>>;

/**
 * `explore --target impl`: breadth-first search over the implementation's
 * step system, exact state keys, every check of a run on every state and
 * edge (REFINEMENT under `sc`; see engine/impl-system.ts).
 */
function exploreImpl(values: ExploreValues): number {
  const cmd = 'explore';
  const str = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  if (values['all'] === true) throw new UsageError('explore: --all applies to --target model (the impl search stops at its first violation)');
  const c = parseConfig(cmd, values, { requireCounts: true, defaultWorkers: 1, progressBound: IMPL_PROGRESS_BOUND, extraIds: IMPL_CHECK_IDS });
  const { servers, workers, profile } = c;
  const memory = choiceOption(cmd, 'memory', str('memory'), 'sc', MEMORY_MODELS);
  const variant = variantByName(choiceOption(cmd, 'variant', str('variant'), 'v0.3', IMPL_VARIANTS))!;
  const cpus = intOption(cmd, 'cpus', str('cpus'), 2, 1, 8);
  const maxStates = intOption(cmd, 'max-states', str('max-states'), IMPL_MAX_STATES, 1, 100_000_000);
  const system = guardInternalErrors(makeImplSystem({ ...c, cpus, memory, variant }));
  const { system: measured, depth } = withDepth(system);
  const start = performance.now();
  const r = bfsSearch(measured, { maxStates, maxDepth: Number.MAX_SAFE_INTEGER });
  const elapsedMs = performance.now() - start;
  const verdict = r.failure !== undefined ? 'violation' : r.complete ? 'pass' : 'incomplete';
  const v = r.failure?.run.violation ?? null;
  const trace = r.failure?.run.trace ?? [];
  const token = r.failure === undefined ? undefined : encodeToken(system, r.failure.choices);
  const statesPerSecond = Math.round(r.nodes / Math.max(elapsedMs / 1000, 1e-3));
  if (values['json'] === true) {
    const obj = {
      target: 'impl',
      variant: variant.name,
      servers,
      workers,
      profile,
      memory,
      cpus,
      refinement: selects(c.only, REFINEMENT_ID),
      distinctStates: r.nodes,
      transitions: r.steps,
      depth: depth(),
      elapsedMs: Math.round(elapsedMs),
      statesPerSecond,
      verdict,
      ...(v === null
        ? {}
        : {
            invariant: v.invariant,
            witness: v.message,
            trace: trace.map((t) => ({ step: t.index, task: t.actor, label: t.label, ...(t.detail === undefined ? {} : { detail: t.detail }) })),
            replay: token,
          }),
    };
    process.stdout.write(`${JSON.stringify(obj)}\n`);
  } else {
    const lines = [
      `explore impl ${variant.name} ${servers}x${workers} ${profile}${values['no-yield'] === true ? ' no-yield' : ' yield'} memory ${memory}, ${cpus} CPUs: ${verdict}`,
      `  ${describeImplChecks(memory, c.only)}`,
      `  ${r.nodes} distinct states (exact keys), ${r.steps} transitions, depth ${depth()} in ${Math.round(elapsedMs)} ms (${statesPerSecond} states/s)`,
    ];
    if (verdict === 'incomplete') lines.push(`  stopped at --max-states ${maxStates}: raise it to finish`);
    if (v !== null) {
      lines.push('', `violated: ${v.invariant}: ${v.message}`, `trace (${trace.length} steps, shortest):`);
      const width = String(trace.length).length;
      for (const t of trace) lines.push(`  ${String(t.index).padStart(width)}  ${t.actor.padEnd(4)} ${t.label}${t.detail === undefined ? '' : `  [${t.detail}]`}`);
      lines.push(`replay: umcg-verify replay ${token}`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return verdict === 'pass' ? EXIT.pass : verdict === 'violation' ? EXIT.violation : EXIT_INCOMPLETE;
}

/**
 * The system with the search depth measured on the side: a state's depth is
 * its parent's plus one, recorded on the state object when it is first made;
 * the deepest state the search expands is its depth.
 */
function withDepth(system: ImplSystem): { system: ImplSystem; depth: () => number } {
  const depthOf = new WeakMap<ImplState, number>();
  let deepest = 0;
  return {
    system: {
      ...system,
      step(s: ImplState, c: ImplChoice) {
        const d = depthOf.get(s) ?? 0;
        if (d > deepest) deepest = d;
        const r = system.step(s, c);
        if (!depthOf.has(r.next)) depthOf.set(r.next, d + 1);
        return r;
      },
    },
    depth: () => deepest,
  };
}
