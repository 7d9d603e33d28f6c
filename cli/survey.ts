/**
 * `umcg-verify survey`: what a variant breaks, under every strategy,
 * profile and memory model (engine/survey.ts). Prints one table row per
 * finding (cell, invariant, round, shrunk steps, runs to it) and its replay
 * command, then one line per cell that ended without one; `--json` prints
 * {"target","variant",...,"cells":[...]}.
 *
 * Exit 0 when no cell found anything, 1 when some cell did (as `check`
 * does for a violation), 2 on bad input.
 */
import Table from 'cli-table3';
import { IMPL_PROGRESS_BOUND } from '../engine/impl-system.ts';
import { PROFILES } from '../engine/model-system.ts';
import { DEFAULT_PREEMPTION_BOUND } from '../engine/strategies/bounded.ts';
import { STRATEGIES, type StrategyName } from '../engine/strategies/index.ts';
import { DEFAULT_PCT_DEPTH } from '../engine/strategies/pct.ts';
import { survey, type SurveyCell, type SurveyOptions } from '../engine/survey.ts';
import { IMPL_VARIANTS, MEMORY_MODELS, MODEL_VARIANT_ONLY, modelVariant } from '../engine/targets.ts';
import type { Profile } from '../model/types.ts';
import { DEFAULT_PROGRESS_BOUND } from '../properties/registry.ts';
import { choiceOption, CONFIG_OPTIONS, intOption, parse } from './args.ts';
import { EXIT, UsageError } from './usage-error.ts';

const HELP = `usage: umcg-verify survey [--target impl|model] [--variant v0.3|FIXED|B-...] [--servers S] [--workers W]
         [--no-yield] [--locks] [--env-budget N] [--profile contract,adversarial] [--memory sc,tso]
         [--strategy random,pct,bounded,exhaustive] [--seed N] [--runs N] [--max-steps N]
         [--max-states N] [--rounds R] [--pct-depth D] [--bound P] [--progress-bound K] [--json]

Runs a check per profile x memory x strategy in rounds: each round that finds a violation
shrinks it, records it with its replay token, and excludes that invariant from the next round.`;

/** A comma-separated list of `choices` (every one when absent), or a UsageError. */
function listOption<T extends string>(cmd: string, name: string, text: string | undefined, choices: readonly T[]): T[] {
  if (text === undefined) return [...choices];
  const items = text.split(',').map((x) => x.trim());
  const out: T[] = [];
  for (const item of items) {
    const found = choices.find((c) => c === item);
    if (found === undefined) throw new UsageError(`${cmd}: --${name} must be a comma-separated list of ${choices.join(', ')}, got '${item}'`);
    if (!out.includes(found)) out.push(found);
  }
  return out;
}

export async function surveyCommand(args: readonly string[]): Promise<number> {
  const cmd = 'survey';
  // The configuration options of every command, but --profile is a list
  // here and the rounds choose `only` themselves.
  const { only: _only, ...config } = CONFIG_OPTIONS;
  const { values } = parse(cmd, args, {
    ...config,
    target: { type: 'string' },
    variant: { type: 'string' },
    memory: { type: 'string' },
    strategy: { type: 'string' },
    seed: { type: 'string' },
    runs: { type: 'string' },
    'max-steps': { type: 'string' },
    'max-states': { type: 'string' },
    rounds: { type: 'string' },
    'pct-depth': { type: 'string' },
    bound: { type: 'string' },
    cpus: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.pass;
  }
  const target = choiceOption(cmd, 'target', values.target, 'impl', ['model', 'impl'] as const);
  const variant = choiceOption(cmd, 'variant', values.variant, 'v0.3', IMPL_VARIANTS);
  if (target !== 'impl' && modelVariant(variant) === undefined) throw new UsageError(`${cmd}: --variant ${variant} ${MODEL_VARIANT_ONLY}`);
  if (values.memory !== undefined && target !== 'impl') throw new UsageError(`${cmd}: --memory applies to --target impl`);
  if (values.cpus !== undefined && target !== 'impl') throw new UsageError(`${cmd}: --cpus applies to --target impl`);
  const profiles = listOption<Profile>(cmd, 'profile', values.profile, PROFILES);
  const envBudget = intOption(cmd, 'env-budget', values['env-budget'], 1, 0, 8);
  if (values['env-budget'] !== undefined && !profiles.includes('adversarial')) throw new UsageError(`${cmd}: --env-budget needs the adversarial profile`);
  const o: SurveyOptions = {
    target,
    base: {
      servers: intOption(cmd, 'servers', values.servers, 1, 1, 4),
      workers: intOption(cmd, 'workers', values.workers, 2, 1, 6),
      yield: values['no-yield'] !== true,
      locks: values.locks === true,
      envBudget,
      progressBound: intOption(cmd, 'progress-bound', values['progress-bound'], target === 'impl' ? IMPL_PROGRESS_BOUND : DEFAULT_PROGRESS_BOUND, 1, 1_000_000),
      variant,
      ...(target === 'impl' ? { cpus: intOption(cmd, 'cpus', values.cpus, 2, 1, 8) } : {}),
    },
    profiles,
    memories: listOption(cmd, 'memory', values.memory, MEMORY_MODELS),
    strategies: listOption<StrategyName>(cmd, 'strategy', values.strategy, STRATEGIES),
    seed: intOption(cmd, 'seed', values.seed, 1, 0, 0xffff_ffff),
    runs: intOption(cmd, 'runs', values.runs, 200, 1, 100_000_000),
    maxSteps: intOption(cmd, 'max-steps', values['max-steps'], 200, 1, 1_000_000),
    maxStates: intOption(cmd, 'max-states', values['max-states'], 200_000, 1, 100_000_000),
    rounds: intOption(cmd, 'rounds', values.rounds, 8, 1, 64),
    pctDepth: intOption(cmd, 'pct-depth', values['pct-depth'], DEFAULT_PCT_DEPTH, 1, 64),
    preemptionBound: intOption(cmd, 'bound', values.bound, DEFAULT_PREEMPTION_BOUND, 0, 64),
  };
  const cells = survey(o, (c) => {
    if (values.json !== true && process.stderr.isTTY === true) process.stderr.write(`survey: ${cellName(c)} done (${c.findings.length} found)\n`);
  });
  const found = cells.some((c) => c.findings.length > 0);
  if (values.json === true) {
    const { base, ...rest } = o;
    process.stdout.write(`${JSON.stringify({ ...rest, config: base, cells })}\n`);
    return found ? EXIT.violation : EXIT.pass;
  }
  process.stdout.write(`${formatSurvey(o, cells).join('\n')}\n`);
  return found ? EXIT.violation : EXIT.pass;
}

function cellName(c: SurveyCell): string {
  return `${c.profile} ${c.memory} ${c.strategy}`;
}

const END_TEXT: Readonly<Record<SurveyCell['end'], string>> = {
  pass: 'then passed',
  budget: 'then the search budget ran out',
  exhausted: 'then every check was excluded',
  rounds: 'then the round limit stopped it',
};

export function formatSurvey(o: SurveyOptions, cells: readonly SurveyCell[]): string[] {
  const b = o.base;
  const head = [
    `survey ${o.target} ${String(b['variant'])} ${String(b['servers'])}x${String(b['workers'])}${b['yield'] === true ? ' yield' : ' no-yield'}${b['locks'] === true ? ' locks' : ''}, ` +
      `seed ${o.seed}, ${o.runs} runs of ${o.maxSteps} steps (random, pct), ${o.maxStates} states (bounded, exhaustive), at most ${o.rounds} rounds per cell`,
  ];
  const table = new Table({ head: ['profile', 'memory', 'strategy', 'round', 'invariant', 'steps', 'runs', 'witness'], style: { head: [], border: [] } });
  const replays: string[] = [];
  for (const c of cells) {
    for (const f of c.findings) {
      table.push([c.profile, c.memory, c.strategy, String(f.round), f.invariant, String(f.steps), String(f.runs), f.message]);
      replays.push(`  ${cellName(c)} ${f.invariant}: umcg-verify replay ${f.replay}`);
    }
  }
  const ends = cells.map((c) => `  ${cellName(c)}: ${c.findings.length} found, ${END_TEXT[c.end]} (${c.elapsedMs} ms)`);
  return [...head, table.toString(), 'cells:', ...ends, 'replay:', ...replays];
}
