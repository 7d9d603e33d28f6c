/**
 * `umcg-verify list [--json]`: what `check` accepts: targets, variants,
 * profiles, memory models, strategies, and the invariants of the registry.
 */
import { PROFILES } from '../engine/model-system.ts';
import { STRATEGIES } from '../engine/strategies/index.ts';
import { IMPL_VARIANTS, MEMORY_MODELS, TARGETS, VARIANTS } from '../engine/targets.ts';
import { INVARIANTS } from '../properties/registry.ts';
import { parse } from './args.ts';
import { EXIT } from './usage-error.ts';

export async function listCommand(args: readonly string[]): Promise<number> {
  const { values } = parse('list', args, { json: { type: 'boolean' } });
  const invariants = INVARIANTS.map((i) => ({ id: i.id, kind: i.kind, scope: i.scope, statement: i.statement }));
  if (values.json === true) {
    const obj = { targets: TARGETS, variants: IMPL_VARIANTS, modelVariants: VARIANTS, profiles: PROFILES, memory: MEMORY_MODELS, strategies: STRATEGIES, invariants };
    process.stdout.write(`${JSON.stringify(obj)}\n`);
    return EXIT.pass;
  }
  const lines = [
    `targets:    ${TARGETS.join(', ')}`,
    `variants:   ${IMPL_VARIANTS.join(', ')} (the model target: ${VARIANTS.join(', ')} only)`,
    `profiles:   ${PROFILES.join(', ')}`,
    `memory:     ${MEMORY_MODELS.join(', ')} (the impl target; the model is sequentially consistent)`,
    `strategies: ${STRATEGIES.join(', ')}`,
    'invariants:',
    ...invariants.map((i) => `  ${i.id.padEnd(30)} ${`${i.kind}, ${i.scope}`.padEnd(26)} ${i.statement}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.pass;
}
