/**
 * Bad input from the user: an unknown option, a malformed value, an
 * unreadable file. The CLI prints `umcg-verify: <message>` as one line on
 * stderr and exits with code 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes shared by every subcommand. */
export const EXIT = { pass: 0, violation: 1, badInput: 2 } as const;
