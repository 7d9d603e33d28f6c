/**
 * The finding pages (docs/bugs/F*.md) show what the tools print, not what
 * someone wrote. Each page names its invariant (`Expected: **violation of
 * ID**`) and gives replay commands, each annotated `# expect ID [WORD]`:
 *
 * - every replay token on a page carries such an annotation, and the first
 *   one expects the page's invariant;
 * - each token replays to a violation of the ID it expects, whose witness
 *   contains WORD when given (the finding's name in a REFINEMENT message);
 * - a token printed with `--markdown --mermaid` has that command's output on
 *   the page verbatim (timeline, final state, diagram);
 * - a model token is the one the model explorer prints for that
 *   configuration and invariant: the trace is the shortest, found by search.
 *
 * A page whose finding exploration does not reach says so with the marker
 * `NOT REPRODUCED BY EXPLORATION` and has no token to check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explore } from '../../engine/explore.ts';
import { explorerToken } from '../../engine/explore-token.ts';
import { decodeToken, replayToken } from '../../engine/replay.ts';
import { projectRoot } from '../../engine/root.ts';
import type { Profile } from '../../model/types.ts';
import { runCli } from '../helpers/cli.ts';

const DOCS = join(projectRoot(), 'docs');
const BUGS = join(DOCS, 'bugs');
const PAGES = readdirSync(BUGS)
  .filter((f) => /^F.*\.md$/.test(f) && f !== 'FIXED.md')
  .sort();
const UNREPRODUCED = 'NOT REPRODUCED BY EXPLORATION';

interface Replay {
  readonly token: string;
  readonly markdown: boolean;
  readonly invariant: string;
  readonly word: string | undefined;
}

/** The annotated replay commands of a page. */
function replaysOf(text: string): Replay[] {
  const out: Replay[] = [];
  for (const m of text.matchAll(/replay (uv1\.[A-Za-z0-9._-]+)((?: --[a-z]+)*)[ \t]+# expect ([A-Z][A-Z0-9-]+)(?: (\S+))?/g)) {
    out.push({ token: m[1]!, markdown: /--markdown/.test(m[2]!) && /--mermaid/.test(m[2]!), invariant: m[3]!, word: m[4] });
  }
  return out;
}

describe('docs/bugs/F*.md: the finding pages', () => {
  it('exist, one per finding of docs/findings.md, and every one is linked from findings.md and the reading guide', () => {
    expect(PAGES.length).toBeGreaterThanOrEqual(9);
    const findings = readFileSync(join(DOCS, 'findings.md'), 'utf8');
    const readme = readFileSync(join(DOCS, 'README.md'), 'utf8');
    for (const p of PAGES) {
      expect(findings, `findings.md links bugs/${p}`).toContain(`(bugs/${p})`);
      expect(readme, `README.md lists bugs/${p}`).toContain(`bugs/${p}`);
    }
  });

  for (const page of PAGES) {
    describe(page, () => {
      const text = readFileSync(join(BUGS, page), 'utf8');
      const replays = replaysOf(text);
      const expected = /^Expected: \*\*violation of ([A-Z][A-Z0-9-]+)\*\*/m.exec(text)?.[1];

      it('names its invariant and gives a replay token for it, or says that exploration does not reach it', () => {
        if (text.includes(UNREPRODUCED)) {
          expect(replays).toEqual([]);
          return;
        }
        expect(expected).toBeDefined();
        expect(replays.length).toBeGreaterThan(0);
        expect(replays[0]!.invariant).toBe(expected);
        // No token on the page escapes the checks below.
        expect(text.match(/replay uv1\./g)?.length).toBe(replays.length);
      });

      for (const [i, r] of replays.entries()) {
        it(`${r.invariant}: replay token ${i + 1} reproduces it${r.word === undefined ? '' : ` (${r.word})`}`, () => {
          const run = replayToken(r.token).run;
          expect(run.violation?.invariant).toBe(r.invariant);
          if (r.word !== undefined) expect(run.violation?.message).toContain(r.word);
        });

        if (r.markdown) {
          it(`${r.invariant}: the page shows the output of replay token ${i + 1} --markdown --mermaid verbatim`, async () => {
            const { code, out } = await runCli(['replay', r.token, '--markdown', '--mermaid']);
            expect(code).toBe(1);
            expect(text).toContain(out.trimEnd());
          });
        }

        if (decodeToken(r.token).target === 'model') {
          it(`${r.invariant}: model token ${i + 1} is the shortest trace the explorer finds`, () => {
            const c = decodeToken(r.token).config;
            const opts = {
              servers: c['servers'] as number,
              workers: c['workers'] as number,
              profile: c['profile'] as Profile,
              yield: c['yield'] as boolean,
              locks: c['locks'] as boolean,
              envBudget: c['envBudget'] as number,
              progressBound: c['progressBound'] as number,
              maxStates: 2_000_000,
              stopAtFirst: true,
              only: [r.invariant],
            };
            const v = explore(opts).violations[0];
            expect(v?.invariant).toBe(r.invariant);
            expect(explorerToken(opts, v!)).toBe(r.token);
          }, 120_000);
        }
      }
    });
  }
});
