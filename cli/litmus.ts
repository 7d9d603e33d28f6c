import { UsageError } from './usage-error.ts';

/** `umcg-verify litmus FILE... [--model sc|tso] [--json]` (not built yet). */
export async function litmusCommand(_args: readonly string[]): Promise<number> {
  throw new UsageError('litmus: not implemented yet');
}
