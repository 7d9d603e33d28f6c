/** Option parsing shared by the subcommands (node:util parseArgs, strict). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
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
