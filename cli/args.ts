/** Option parsing shared by the subcommands (node:util parseArgs, strict). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Profile } from '../model/types.ts';
import { invariantById } from '../properties/registry.ts';
import { UsageError } from './usage-error.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(command: string, args: readonly string[], options: O, positionals = false) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: positionals, strict: true });
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    throw new UsageError(`${command}: ${text.replace(/\s*\n\s*/g, ' ')}`);
  }
}

/** A whole number in [min, max], or a UsageError naming the option. */
export function intOption(command: string, name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new UsageError(`${command}: --${name} must be a whole number, got '${text}'`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${command}: --${name} must be between ${min} and ${max}, got ${text}`);
  }
  return n;
}

/** One of `choices`, or a UsageError listing them. */
export function choiceOption<T extends string>(command: string, name: string, text: string | undefined, fallback: T, choices: readonly T[]): T {
  if (text === undefined) return fallback;
  const found = choices.find((c) => c === text);
  if (found === undefined) throw new UsageError(`${command}: --${name} must be one of ${choices.join(', ')}, got '${text}'`);
  return found;
}

/** The options every command that builds a configuration accepts. */
export const CONFIG_OPTIONS = {
  servers: { type: 'string' },
  workers: { type: 'string' },
  profile: { type: 'string' },
  'no-yield': { type: 'boolean' },
  locks: { type: 'boolean' },
  'env-budget': { type: 'string' },
  'progress-bound': { type: 'string' },
  only: { type: 'string' },
} as const;

export interface ParsedConfig {
  readonly servers: number;
  readonly workers: number;
  readonly profile: Profile;
  readonly yield: boolean;
  readonly locks: boolean;
  readonly envBudget: number;
  readonly progressBound: number;
  readonly only?: readonly string[];
}

/**
 * Read CONFIG_OPTIONS from parsed values, with one set of rules for every
 * command: counts in range (required when `requireCounts`), the environment
 * budget only with the adversarial profile, --only naming registry IDs (or
 * one of `extraIds`).
 */
export function parseConfig(
  cmd: string,
  values: Readonly<Record<string, string | boolean | undefined>>,
  o: { readonly requireCounts: boolean; readonly defaultWorkers: number; readonly progressBound: number; readonly extraIds?: readonly string[] },
): ParsedConfig {
  const str = (k: string): string | undefined => {
    const v = values[k];
    return typeof v === 'string' ? v : undefined;
  };
  if (o.requireCounts && (str('servers') === undefined || str('workers') === undefined)) {
    throw new UsageError(`${cmd}: --servers and --workers are required`);
  }
  const profile = choiceOption<Profile>(cmd, 'profile', str('profile'), 'contract', ['contract', 'adversarial']);
  const envBudget = intOption(cmd, 'env-budget', str('env-budget'), profile === 'adversarial' ? 1 : 0, 0, 8);
  if (envBudget > 0 && profile !== 'adversarial') throw new UsageError(`${cmd}: --env-budget needs --profile adversarial`);
  const only = str('only')?.split(',').map((x) => x.trim());
  for (const id of only ?? []) {
    if (invariantById(id) === undefined && !(o.extraIds ?? []).includes(id)) throw new UsageError(`${cmd}: unknown invariant '${id}' in --only`);
  }
  return {
    servers: intOption(cmd, 'servers', str('servers'), 1, 1, 4),
    workers: intOption(cmd, 'workers', str('workers'), o.defaultWorkers, 1, 6),
    profile,
    yield: values['no-yield'] !== true,
    locks: values.locks === true,
    envBudget,
    progressBound: intOption(cmd, 'progress-bound', str('progress-bound'), o.progressBound, 1, 1_000_000),
    ...(only === undefined ? {} : { only }),
  };
}

/** `--shard i/n` (1 <= i <= n), as a 0-based index and a count; undefined when absent. */
export function shardOption(cmd: string, text: string | undefined): { readonly index: number; readonly count: number } | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const i = m === null ? NaN : Number(m[1]);
  const n = m === null ? NaN : Number(m[2]);
  if (!(n >= 1 && n <= 1_000_000 && i >= 1 && i <= n)) throw new UsageError(`${cmd}: --shard must be i/n with 1 <= i <= n, got '${text}'`);
  return { index: i - 1, count: n };
}
