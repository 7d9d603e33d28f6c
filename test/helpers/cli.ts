/** Running the CLI in-process with its stdout and stderr captured. */
import { vi } from 'vitest';
import { main } from '../../cli/main.ts';

/** Capture process.stdout/stderr writes until vi.restoreAllMocks(). */
export function capture(): { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  return { out: () => out, err: () => err };
}

/** `umcg-verify ARGS` in-process: the exit code and what it printed. */
export async function runCli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  try {
    const code = await main(args);
    return { code, out: io.out(), err: io.err() };
  } finally {
    vi.restoreAllMocks();
  }
}
