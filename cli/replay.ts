/**
 * `umcg-verify replay TOKEN|FILE [--mermaid] [--json]`
 *
 * Re-runs a replay token (or the token in a failure file of
 * .umcg-verify/failures/, or a text file holding one) and prints the
 * identical trace. `--markdown` prints it as the docs pages show it
 * (docs/bugs/*.md): the verdict, a Markdown timeline with repeated blocks
 * collapsed, the final state and, with `--mermaid`, the collapsed diagram. Exit 1 when the run violates an invariant, 0 when it does
 * not, 2 when the token is malformed or does not replay.
 */
import { existsSync, readFileSync } from 'node:fs';
import { replayToken, TokenError } from '../engine/replay.ts';
import { formatCounterexample, markdownTimeline, mermaid, timeline } from '../engine/timeline.ts';
import { parse } from './args.ts';
import { EXIT, UsageError } from './usage-error.ts';

const HELP = 'usage: umcg-verify replay TOKEN|FILE [--mermaid] [--json | --markdown]';

export async function replayCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parse(
    'replay',
    args,
    { json: { type: 'boolean' }, markdown: { type: 'boolean' }, mermaid: { type: 'boolean' }, help: { type: 'boolean' } },
    true,
  );
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return EXIT.pass;
  }
  if (values.json === true && values.markdown === true) throw new UsageError('replay: give --json or --markdown, not both');
  if (positionals.length !== 1) throw new UsageError('replay: give exactly one replay token or failure file');
  const token = tokenOf(positionals[0]!);
  let r: ReturnType<typeof replayToken>;
  try {
    r = replayToken(token);
  } catch (err) {
    if (err instanceof TokenError) throw new UsageError(`replay: ${err.message}`);
    throw err;
  }
  const v = r.run.violation;
  if (values.json === true) {
    const obj = {
      target: r.target,
      config: r.config,
      verdict: v === null ? 'pass' : 'violation',
      ...(v === null ? {} : { invariant: v.invariant, witness: v.message }),
      steps: r.run.trace.length,
      trace: r.run.trace.map((e) => ({
        step: e.index,
        actor: e.actor,
        choice: e.text,
        ...(e.row === undefined ? {} : { row: e.row }),
        label: e.label,
        ...(e.detail === undefined ? {} : { detail: e.detail }),
      })),
    };
    process.stdout.write(`${JSON.stringify(obj)}\n`);
  } else if (values.markdown === true) {
    const lines = [
      v === null ? `**Verdict:** pass (${r.run.trace.length} steps)` : `**Violated:** ${v.invariant}: ${v.message}`,
      '',
      ...markdownTimeline(r.system, r.run.trace),
      '',
      'Final state:',
      '',
      '```text',
      ...r.system.describeState(r.run.final),
      '```',
    ];
    if (values.mermaid === true) lines.push('', '```mermaid', mermaid(r.system, r.run.trace, v ?? undefined, { collapse: true }).trimEnd(), '```');
    process.stdout.write(`${lines.join('\n')}\n`);
  } else {
    const lines = [`replay ${r.target} ${JSON.stringify(r.config)}`];
    if (v === null) lines.push(`verdict: pass (${r.run.trace.length} steps, no invariant violated)`, ...timeline(r.system, r.run.trace));
    else lines.push('verdict: violation', ...formatCounterexample(r.system, r.run.trace, v, r.run.final));
    if (values.mermaid === true) lines.push('', mermaid(r.system, r.run.trace, v ?? undefined));
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return v === null ? EXIT.pass : EXIT.violation;
}

/** A token as given, or read from a failure file (its `token` field) or a text file. */
function tokenOf(arg: string): string {
  if (/^uv\d+\./.test(arg) || !existsSync(arg)) {
    if (!/^uv\d+\./.test(arg)) throw new UsageError(`replay: '${arg}' is neither a replay token (uv1.…) nor a readable file`);
    return arg;
  }
  let text: string;
  try {
    text = readFileSync(arg, 'utf8');
  } catch {
    throw new UsageError(`replay: cannot read '${arg}'`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && typeof (parsed as { token?: unknown }).token === 'string') {
      return (parsed as { token: string }).token;
    }
  } catch {
    // not JSON: a text file with the token on its first line
  }
  const first = text.trim().split('\n')[0]?.trim() ?? '';
  if (!/^uv\d+\./.test(first)) throw new UsageError(`replay: '${arg}' holds no replay token`);
  return first;
}
