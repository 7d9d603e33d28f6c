/**
 * `umcg-verify check [--target model|impl] --variant V (v0.3; the bug gallery with --target impl) --profile contract|adversarial --memory sc|tso
 *   --strategy random|pct|bounded|exhaustive [--seed N] [--runs N] [--max-steps N] [--json]`
 *   (PCT's refinements on the implementation: `--focus lists|link-loads [--focus-steps K] --demote-revisits`,
 *   engine/strategies/pct.ts)
 *
 * Runs one strategy over one configuration of the abstract model (`model`,
 * the default) or of the detailed implementation (`impl`: refinement against
 * the model under `--memory sc`, the registry's invariants on its abstract
 * state under both memory models). A failure is shrunk, printed as
 * a timeline with its replay token, and saved to .umcg-verify/failures/; the
 * next run of the same check replays it first. `--json` prints one object:
 * {"variant","profile","memory","strategy","seed","verdict","invariant"?,
 * "steps"?,"runs","elapsedMs","replay"?}, with "target":"impl" first for the
 * implementation. Exit 0 pass, 1 violation, 2 bad input.
 */
import { createHash, webcrypto } from 'node:crypto';
import { relative } from 'node:path';
import { formatCoverage } from '../engine/coverage.ts';
import { describeImplChecks, IMPL_CHECK_IDS, IMPL_PROGRESS_BOUND, makeImplSystem } from '../engine/impl-system.ts';
import { makeModelSystem } from '../engine/model-system.ts';
import { encodeToken, failurePath, loadFailure, removeFailure, replayToken, saveFailure, TokenError } from '../engine/replay.ts';
import { shrink } from '../engine/shrink.ts';
import { DEFAULT_PREEMPTION_BOUND } from '../engine/strategies/bounded.ts';
import { runCheck, STRATEGIES, type Shard, type StrategyName } from '../engine/strategies/index.ts';
import { FOCUS_STEPS_NAME, FOCUSES, type FocusName } from '../engine/strategies/focus.ts';
import { DEFAULT_PCT_DEPTH } from '../engine/strategies/pct.ts';
import { guardInternalErrors, switches, type StepSystem } from '../engine/system.ts';
import { IMPL_VARIANTS, MEMORY_MODELS, MODEL_VARIANT_ONLY, modelVariant, variantByName } from '../engine/targets.ts';
import { formatCounterexample, mermaid } from '../engine/timeline.ts';
import { DEFAULT_PROGRESS_BOUND } from '../properties/registry.ts';
import { choiceOption, CONFIG_OPTIONS, intOption, parse, parseConfig, shardOption } from './args.ts';
import { EXIT, UsageError } from './usage-error.ts';

const HELP = `usage: umcg-verify check [--variant v0.3|FIXED|B-...] [--profile contract|adversarial] [--memory sc|tso]
         [--strategy random|pct|bounded|exhaustive] [--seed N] [--runs N] [--max-steps N]
         [--servers S] [--workers W] [--no-yield] [--locks] [--env-budget N] [--progress-bound K]
         [--pct-depth D] [--focus all|lists|link-loads] [--focus-steps K] [--demote-revisits] [--bound P]
         [--only ID[,ID...]] [--shard i/n] [--target model|impl] [--cpus N] [--coverage] [--mermaid] [--json]
  --variant: model v0.3 (default) or FIXED (the model with the fixes of docs/bugs/FIXED.md);
             impl v0.3, FIXED or a bug variant of the gallery (umcg-verify list)`;

export async function checkCommand(args: readonly string[]): Promise<number> {
  const cmd = 'check';
  const { values } = parse(cmd, args, {
    ...CONFIG_OPTIONS,
    target: { type: 'string' },
    variant: { type: 'string' },
    memory: { type: 'string' },
    strategy: { type: 'string' },
    seed: { type: 'string' },
    runs: { type: 'string' },
    'max-steps': { type: 'string' },
    cpus: { type: 'string' },
    'pct-depth': { type: 'string' },
    focus: { type: 'string' },
    'focus-steps': { type: 'string' },
    'demote-revisits': { type: 'boolean' },
    bound: { type: 'string' },
    shard: { type: 'string' },
    coverage: { type: 'boolean' },
    mermaid: { type: 'boolean' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.pass;
  }
  const target = choiceOption(cmd, 'target', values.target, 'model', ['model', 'impl'] as const);
  const variant = choiceOption(cmd, 'variant', values.variant, 'v0.3', IMPL_VARIANTS);
  const modelForm = modelVariant(variant);
  if (target !== 'impl' && modelForm === undefined) throw new UsageError(`check: --variant ${variant} ${MODEL_VARIANT_ONLY}`);
  const memory = choiceOption(cmd, 'memory', values.memory, 'sc', MEMORY_MODELS);
  const strategy = choiceOption<StrategyName>(cmd, 'strategy', values.strategy, 'pct', STRATEGIES);
  const seed = values.seed === undefined ? webcrypto.getRandomValues(new Uint32Array(1))[0]! : intOption(cmd, 'seed', values.seed, 0, 0, 0xffff_ffff);
  const runs = intOption(cmd, 'runs', values.runs, 100, 1, 100_000_000);
  const maxSteps = intOption(cmd, 'max-steps', values['max-steps'], 200, 1, 1_000_000);
  const common = parseConfig(cmd, values, {
    requireCounts: false,
    defaultWorkers: 2,
    progressBound: target === 'impl' ? IMPL_PROGRESS_BOUND : DEFAULT_PROGRESS_BOUND,
    ...(target === 'impl' ? { extraIds: IMPL_CHECK_IDS } : {}),
  });
  const { profile, envBudget } = common;
  if (values.cpus !== undefined && target !== 'impl') throw new UsageError('check: --cpus applies to --target impl');
  const shard = parseShard(values.shard);
  if (shard !== undefined && strategy === 'exhaustive') throw new UsageError('check: --shard does not apply to --strategy exhaustive (one breadth-first search)');
  const pctDepth = intOption(cmd, 'pct-depth', values['pct-depth'], DEFAULT_PCT_DEPTH, 1, 64);
  const bound = intOption(cmd, 'bound', values.bound, DEFAULT_PREEMPTION_BOUND, 0, 64);
  const pct = pctRefinements(values, { strategy, target });

  const system =
    target === 'impl'
      ? makeImplSystem({ ...common, memory, cpus: intOption(cmd, 'cpus', values.cpus, 2, 1, 8), variant: variantByName(variant)! })
      : makeModelSystem({ ...common, ...modelForm });
  const sys = guardInternalErrors(system as unknown as StepSystem<unknown, unknown>);
  const checkId = checkIdOf(target, memory, strategy, sys);
  const json = values.json === true;
  const out: string[] = [];
  const start = performance.now();
  const head = { ...(target === 'impl' ? { target } : {}), variant, profile, memory, strategy, seed };

  if (!json) {
    const c = system.config;
    out.push(
      `check ${target} ${variant} ${c['servers']}x${c['workers']} ${profile}${c['yield'] === true ? ' yield' : ' no-yield'}${c['locks'] === true ? ' locks' : ''}${envBudget > 0 ? ` env=${envBudget}` : ''}`,
      target === 'model'
        ? `  memory ${memory}: the model is sequentially consistent; --memory applies to --target impl`
        : `  memory ${memory}, ${String(c['cpus'])} CPUs, ${describeImplChecks(memory, common.only)}`,
      `  strategy ${describeStrategy(strategy, { pctDepth, bound, ...pct })}, seed ${seed}, ` +
        (strategy === 'random' || strategy === 'pct' ? `${runs} runs of ${maxSteps} steps then quiet` : `depth ${maxSteps}`) +
        (shard === undefined ? '' : `, shard ${shard.index + 1}/${shard.count}`),
    );
  }

  // A stored failure of this check is replayed first.
  const stored = loadFailure(checkId);
  if (stored !== undefined) {
    let again: ReturnType<typeof replayToken> | undefined;
    try {
      again = replayToken(stored.token);
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
    }
    if (again?.run.violation != null) {
      const elapsedMs = Math.round(performance.now() - start);
      if (json) {
        const { replay, ...rest } = stored.result;
        process.stdout.write(`${JSON.stringify({ ...rest, elapsedMs, replay })}\n`);
      } else {
        out.push(
          `  re-ran the stored failure ${relative(process.cwd(), failurePath(checkId))} first: it still fails`,
          'verdict: violation',
          ...formatCounterexample(again.system, again.run.trace, again.run.violation, again.run.final),
          `replay: umcg-verify replay ${stored.token}`,
          ...(values.mermaid === true ? ['', mermaid(again.system, again.run.trace, again.run.violation)] : []),
        );
        process.stdout.write(`${out.join('\n')}\n`);
      }
      return EXIT.violation;
    }
    removeFailure(checkId);
    if (!json) out.push('  the stored failure of this check no longer fails: removed it');
  }

  const outcome = runCheck(sys, {
    strategy,
    seed,
    runs,
    maxSteps,
    pctDepth,
    ...pct,
    preemptionBound: bound,
    ...(shard === undefined ? {} : { shard }),
    coverage: !json && sys.coverage !== undefined,
  });
  const failure = outcome.failure;
  if (failure === undefined || failure.run.violation === null) {
    const elapsedMs = Math.round(performance.now() - start);
    if (json) {
      process.stdout.write(`${JSON.stringify({ ...head, verdict: 'pass', runs: outcome.runs, elapsedMs })}\n`);
    } else {
      out.push(
        `verdict: pass (${outcome.runs} ${strategy === 'random' || strategy === 'pct' ? 'runs' : 'paths'}, ${outcome.steps} steps, ${elapsedMs} ms)` +
          (outcome.complete ? '' : ' - the search stopped at its budget before finishing'),
      );
      if (outcome.coverage !== undefined) out.push('coverage:', ...formatCoverage(outcome.coverage, values.coverage === true));
      process.stdout.write(`${out.join('\n')}\n`);
    }
    return EXIT.pass;
  }
  const invariant = failure.run.violation.invariant;
  const small = shrink(sys, failure.choices, { invariant });
  const violation = small.run.violation!;
  const token = encodeToken(sys, small.choices);
  const result = { ...head, verdict: 'violation', invariant, steps: small.choices.length, runs: outcome.runs };
  const path = saveFailure({ version: 1, check: checkId, token, invariant, steps: small.choices.length, result: { ...result, replay: token } });
  const elapsedMs = Math.round(performance.now() - start);
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...result, elapsedMs, replay: token })}\n`);
    return EXIT.violation;
  }
  out.push(
    `verdict: violation of ${invariant} after ${outcome.runs} ${strategy === 'random' || strategy === 'pct' ? 'runs' : 'paths'} (${outcome.steps} steps, ${elapsedMs} ms)` +
      (failure.runSeed === undefined ? '' : `; run ${failure.runIndex} (seed ${failure.runSeed})`),
    `shrunk from ${small.before.steps} steps and ${small.before.switches} context switches to ${small.after.steps} and ${switches(small.run.trace)} (${small.attempts} replays)`,
    ...formatCounterexample(sys, small.run.trace, violation, small.run.final),
    `replay: umcg-verify replay ${token}`,
    `saved: ${relative(process.cwd(), path)} (replayed first on the next run of this check)`,
  );
  if (outcome.coverage !== undefined) out.push('coverage:', ...formatCoverage(outcome.coverage, values.coverage === true));
  if (values.mermaid === true) out.push('', mermaid(sys, small.run.trace, violation));
  process.stdout.write(`${out.join('\n')}\n`);
  return EXIT.violation;
}

/** The PCT refinements (engine/strategies/pct.ts): --focus, --focus-steps, --demote-revisits. */
export function pctRefinements(
  values: { readonly focus?: string | undefined; readonly 'focus-steps'?: string | undefined; readonly 'demote-revisits'?: boolean | undefined },
  o: { readonly strategy: StrategyName; readonly target: 'model' | 'impl' },
): { readonly focus?: FocusName; readonly focusSteps?: number; readonly demoteRevisits?: boolean } {
  const cmd = 'check';
  const given = values.focus !== undefined || values['focus-steps'] !== undefined || values['demote-revisits'] === true;
  if (given && o.strategy !== 'pct') throw new UsageError('check: --focus, --focus-steps and --demote-revisits apply to --strategy pct');
  const focus = choiceOption<FocusName>(cmd, 'focus', values.focus, 'all', FOCUSES);
  if (focus !== 'all' && o.target !== 'impl') throw new UsageError(`check: --focus ${focus} applies to --target impl (the model's steps report no addresses)`);
  if (values['focus-steps'] !== undefined && focus === 'all') throw new UsageError('check: --focus-steps needs --focus lists or link-loads');
  return {
    ...(focus === 'all' ? {} : { focus }),
    ...(values['focus-steps'] === undefined ? {} : { focusSteps: intOption(cmd, 'focus-steps', values['focus-steps'], 1, 1, 1_000_000) }),
    ...(values['demote-revisits'] === true ? { demoteRevisits: true } : {}),
  };
}

/** `i/n` with 1 <= i <= n: run indices congruent to i-1 modulo n. */
export function parseShard(text: string | undefined): Shard | undefined {
  return shardOption('check', text);
}

/** What identifies "the same check" for the failure store: everything but seed, runs, steps and sharding. */
function checkIdOf(target: string, memory: string, strategy: string, system: StepSystem<unknown, unknown>): string {
  const c = system.config;
  // A long --only list would make the file name too long for the file
  // system: past three IDs it is named by a digest of the sorted list.
  const ids = Array.isArray(c['only']) ? [...(c['only'] as string[])].sort() : undefined;
  const only =
    ids === undefined ? '' : ids.length <= 3 ? `-only-${ids.join('+')}` : `-only-${ids.length}-${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 12)}`;
  return (
    `${target}-${String(c['variant'])}-${String(c['profile'])}-${memory}-${strategy}-${String(c['servers'])}x${String(c['workers'])}` +
    (c['cpus'] === undefined ? '' : `-cpus${String(c['cpus'])}`) +
    `-${c['yield'] === true ? 'yield' : 'no-yield'}${c['locks'] === true ? '-locks' : ''}-env${String(c['envBudget'])}-k${String(c['progressBound'])}${only}`
  );
}

function describeStrategy(
  s: StrategyName,
  o: { readonly pctDepth: number; readonly bound: number; readonly focus?: FocusName; readonly focusSteps?: number; readonly demoteRevisits?: boolean },
): string {
  switch (s) {
    case 'random':
      return 'random (uniform over enabled choices)';
    case 'pct':
      return (
        `pct (d=${o.pctDepth}` +
        (o.focus === undefined || o.focus === 'all' ? '' : `, change points on ${FOCUS_STEPS_NAME[o.focus]}${o.focusSteps === undefined ? '' : ` (k=${o.focusSteps})`}`) +
        (o.demoteRevisits === true ? ', revisits demoted' : '') +
        ')'
      );
    case 'bounded':
      return `bounded (at most ${o.bound} preemptions, DFS with state cache)`;
    case 'exhaustive':
      return 'exhaustive (breadth-first, shortest counterexample)';
  }
}
