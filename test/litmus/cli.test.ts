import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { litmusCommand } from '../../cli/litmus.ts';
import { main } from '../../cli/main.ts';
import { UsageError } from '../../cli/usage-error.ts';
import { LITMUS_DIR } from './helpers.ts';

const SB = join(LITMUS_DIR, 'SB.litmus');
const MP = join(LITMUS_DIR, 'MP.litmus');

let stdout = '';
let stderr = '';

beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'umcg-litmus-')), name);
  writeFileSync(path, text);
  return path;
}

describe('umcg-verify litmus', () => {
  it('runs under tso by default and exits 0 even when the outcome is allowed', async () => {
    expect(await litmusCommand([SB])).toBe(0);
    expect(stdout).toContain('Observation SB Sometimes 1 3\n');
  });

  it('--model sc runs under sequential consistency', async () => {
    expect(await litmusCommand([SB, '--model', 'sc'])).toBe(0);
    expect(stdout).toContain('Observation SB Never 0 3\n');
  });

  it('several files print one block each, in order, separated by a blank line', async () => {
    expect(await litmusCommand([SB, MP])).toBe(0);
    const tests = stdout.split('\n').filter((l) => l.startsWith('Test '));
    expect(tests).toEqual(['Test SB Allowed', 'Test MP Allowed']);
    expect(stdout).toContain('Observation SB Sometimes 1 3\n\nTest MP Allowed\n');
  });

  it('--json prints one JSON array with an object per test', async () => {
    expect(await litmusCommand(['--json', '--model=sc', SB, MP])).toBe(0);
    const parsed = JSON.parse(stdout) as { name: string; file: string; model: string; verdict: string; states: string[]; condition: string }[];
    expect(parsed.map((r) => [r.name, r.file, r.model, r.verdict])).toEqual([
      ['SB', SB, 'sc', 'Never'],
      ['MP', MP, 'sc', 'Never'],
    ]);
    expect(parsed[0]?.states).toEqual(['0:EAX=0; 1:EAX=1;', '0:EAX=1; 1:EAX=0;', '0:EAX=1; 1:EAX=1;']);
    expect(parsed[0]?.condition).toBe('exists (0:EAX=0 /\\ 1:EAX=0)');
  });

  const usageErrors: { readonly what: string; readonly args: () => string[]; readonly message: RegExp }[] = [
    { what: 'an unknown option', args: () => [SB, '--fast'], message: /^litmus: Unknown option '--fast'/ },
    { what: 'a bad --model value', args: () => [SB, '--model', 'arm'], message: /^litmus: --model must be sc or tso, got 'arm'$/ },
    { what: 'no file', args: () => ['--model', 'sc'], message: /^litmus: no FILE given/ },
    { what: 'an unreadable file', args: () => [join(LITMUS_DIR, 'no-such.litmus')], message: /^litmus: cannot read .*no-such\.litmus: / },
    {
      what: 'an unsupported construct',
      args: () => [SB, tempFile('J.litmus', 'X86 J\n{ }\n P0 ;\n JMP L0 ;\n')],
      message: /^litmus: .*J\.litmus:4: unsupported instruction 'JMP'/,
    },
  ];
  for (const c of usageErrors) {
    it(`${c.what} is a one-line usage error and prints nothing on stdout`, async () => {
      const err = await litmusCommand(c.args()).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).message).toMatch(c.message);
      expect((err as UsageError).message).not.toContain('\n');
      expect(stdout).toBe('');
    });
  }

  it('through the CLI entry point an unsupported construct exits 2 with one line on stderr', async () => {
    const bad = tempFile('Arm.litmus', 'AArch64 Arm\n{ }\n P0 ;\n NOP ;\n');
    expect(await main(['litmus', bad])).toBe(2);
    expect(stderr).toMatch(/^umcg-verify: litmus: .*Arm\.litmus:1: unsupported architecture 'AArch64' \(only X86 is supported\)\n$/);
    expect(stdout).toBe('');
  });
});
