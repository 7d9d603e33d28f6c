/**
 * docs/invariants.md, generated from the registry: one section per ID.
 */
import type { Invariant } from '../properties/invariant.ts';
import { INVARIANTS } from '../properties/registry.ts';

const KIND_TITLE: Readonly<Record<Invariant['kind'], string>> = {
  'well-formedness': 'Well-formedness',
  safety: 'Safety',
  transition: 'Transitions',
  liveness: 'Bounded liveness',
};

const SCOPE_TEXT: Readonly<Record<Invariant['scope'], string>> = {
  always: 'always (whatever userspace does: the kernel alone must guarantee it)',
  contract: 'contract (promised to programs that follow every documented rule)',
};

export function renderInvariantsMd(invariants: readonly Invariant[] = INVARIANTS): string {
  const out: string[] = [
    '# Invariants',
    '',
    '<!-- Generated from properties/registry.ts by `npm run docs`; do not edit by hand. -->',
    '',
    'Every invariant has a permanent ID, used in test names, failure messages and this page.',
    'Kinds are kept apart: well-formedness of the data, safety of states, properties of single',
    'transitions, and bounded liveness checked on quiescent states. The scope says under which',
    'environment profile it must hold. Spec references are to `../shared/umcg-v0.3-spec.md`.',
    '',
    '| ID | kind | scope | statement |',
    '|---|---|---|---|',
    ...invariants.map((i) => `| [${i.id}](#${anchor(i.id)}) | ${i.kind} | ${i.scope} | ${i.statement.replace(/\|/g, '\\|')} |`),
  ];
  for (const kind of Object.keys(KIND_TITLE) as Invariant['kind'][]) {
    const group = invariants.filter((i) => i.kind === kind);
    if (group.length === 0) continue;
    out.push('', `## ${KIND_TITLE[kind]}`);
    for (const i of group) {
      out.push(
        '',
        `### ${i.id}`,
        '',
        i.statement,
        '',
        `- **Why:** ${i.rationale}`,
        `- **Scope:** ${SCOPE_TEXT[i.scope]}`,
        `- **Could be broken by:** ${i.breakers.join('; ')}`,
        `- **How it is checked:** ${i.checked}`,
        ...(i.kind === 'liveness' && i.form === 'progress-bound' ? [`- **Default bound:** K = ${i.defaultBound} (\`--progress-bound\`)`] : []),
        `- **Spec:** ${i.spec}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

function anchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9-]/g, '');
}
