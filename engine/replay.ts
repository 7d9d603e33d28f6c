/**
 * Replay tokens and the failure store.
 *
 * A token is one line that reproduces a run exactly:
 *
 *     uv1.<target>.<config>.<choices>.<check>
 *
 * - `uv1`: the format version.
 * - `<target>`: the step system (`model`; `impl` later).
 * - `<config>`: base64url (no padding) of the system's configuration as JSON
 *   (variant, profile, servers, workers, options: what `buildSystem` needs).
 * - `<choices>`: the schedule, choices separated by `_`, each the system's
 *   short choice text (`s2`: a step of TID 2, `y3`: TID 3 yields, ...), a
 *   run of n equal choices written once as `text-n`. Empty for no steps.
 * - `<check>`: FNV-1a 32-bit of everything before it, 8 hex digits, so a
 *   truncated or mistyped token is rejected instead of replaying something else.
 *
 * Every character is in [A-Za-z0-9._-]: safe in a shell, a URL and a file name.
 * Replay is strict: every choice must be enabled when its turn comes.
 *
 * Failures are stored in .umcg-verify/failures/<check-id>.json (written
 * atomically; the folder is UMCG_VERIFY_DIR/failures when that is set) and the
 * next run of the same check replays them first.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './fs.ts';
import { buildSystem, ConfigError } from './targets.ts';
import { execute, type RunResult, type StepSystem, type SystemConfig } from './system.ts';

export const TOKEN_VERSION = 'uv1';

/** A token that cannot be read; the message is one line. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
}

export function encodeToken<S, C>(system: StepSystem<S, C>, choices: readonly C[]): string {
  const cfg = Buffer.from(JSON.stringify(system.config), 'utf8').toString('base64url');
  const items: string[] = [];
  for (let i = 0; i < choices.length; ) {
    const text = system.encodeChoice(choices[i]!);
    if (!/^[A-Za-z0-9]+$/.test(text)) throw new Error(`choice text '${text}' is not [A-Za-z0-9]+`);
    let n = 1;
    while (i + n < choices.length && system.encodeChoice(choices[i + n]!) === text) n++;
    items.push(n === 1 ? text : `${text}-${n}`);
    i += n;
  }
  const body = `${TOKEN_VERSION}.${system.name}.${cfg}.${items.join('_')}`;
  return `${body}.${fnv1a(body)}`;
}

export interface DecodedToken {
  readonly target: string;
  readonly config: SystemConfig;
  readonly system: StepSystem<unknown, unknown>;
  readonly choices: readonly unknown[];
}

export function decodeToken(token: string): DecodedToken {
  const t = token.trim();
  if (!t.startsWith(`${TOKEN_VERSION}.`)) {
    throw new TokenError(/^uv\d+\./.test(t) ? `replay token version '${t.split('.')[0]}' is not supported (this build reads ${TOKEN_VERSION})` : `not a replay token (it must start with '${TOKEN_VERSION}.')`);
  }
  if (!/^[A-Za-z0-9._-]+$/.test(t)) throw new TokenError('replay token has characters outside [A-Za-z0-9._-]');
  const parts = t.split('.');
  if (parts.length !== 5) throw new TokenError(`replay token has ${parts.length} fields, expected 5 (uv1.target.config.choices.check)`);
  const [, target, cfgText, choiceText, check] = parts as [string, string, string, string, string];
  const body = parts.slice(0, 4).join('.');
  if (check !== fnv1a(body)) throw new TokenError('replay token checksum does not match (truncated or mistyped?)');
  let config: SystemConfig;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cfgText, 'base64url').toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    config = parsed as SystemConfig;
  } catch {
    throw new TokenError('replay token configuration is not valid base64url JSON');
  }
  let system: StepSystem<unknown, unknown>;
  try {
    system = buildSystem(target, config);
  } catch (err) {
    if (err instanceof ConfigError) throw new TokenError(`replay token configuration: ${err.message}`);
    throw err;
  }
  const choices: unknown[] = [];
  for (const item of choiceText === '' ? [] : choiceText.split('_')) {
    const m = /^([A-Za-z0-9]+)(?:-(\d+))?$/.exec(item);
    const c = m === null ? undefined : system.decodeChoice(m[1]!);
    if (m === null || c === undefined) throw new TokenError(`replay token step '${item}' is not a choice of the ${target} system`);
    const n = m[2] === undefined ? 1 : Number(m[2]);
    if (!Number.isSafeInteger(n) || n < 1 || choices.length + n > 10_000_000) throw new TokenError(`replay token step '${item}' has a bad repeat count`);
    for (let k = 0; k < n; k++) choices.push(c);
  }
  return { target, config, system, choices };
}

/** Decode and run a token: the identical trace, or a TokenError when a step is not enabled. */
export function replayToken(token: string): DecodedToken & { readonly run: RunResult<unknown, unknown> } {
  const d = decodeToken(token);
  const run = execute(d.system, d.choices);
  if (run.error !== undefined) throw new TokenError(`replay token does not replay: ${run.error}`);
  return { ...d, run };
}

function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------
// The failure store

export interface StoredFailure {
  readonly version: 1;
  readonly check: string;
  readonly token: string;
  readonly invariant: string;
  readonly steps: number;
  /** The check's JSON result when it found the failure (without elapsedMs). */
  readonly result: Readonly<Record<string, unknown>>;
}

export function failuresDir(): string {
  const base = process.env['UMCG_VERIFY_DIR'] ?? join(process.cwd(), '.umcg-verify');
  return join(base, 'failures');
}

/** A check id as a file name: anything outside [A-Za-z0-9._-] becomes `_`. */
export function failurePath(checkId: string, dir = failuresDir()): string {
  return join(dir, `${checkId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

export function saveFailure(f: StoredFailure, dir = failuresDir()): string {
  const path = failurePath(f.check, dir);
  writeFileAtomic(path, `${JSON.stringify(f, null, 2)}\n`);
  return path;
}

/** The stored failure of a check, or undefined (an unreadable file counts as none). */
export function loadFailure(checkId: string, dir = failuresDir()): StoredFailure | undefined {
  const path = failurePath(checkId, dir);
  if (!existsSync(path)) return undefined;
  try {
    const f = JSON.parse(readFileSync(path, 'utf8')) as StoredFailure;
    return f.version === 1 && typeof f.token === 'string' ? f : undefined;
  } catch {
    return undefined;
  }
}

export function removeFailure(checkId: string, dir = failuresDir()): void {
  rmSync(failurePath(checkId, dir), { force: true });
}
