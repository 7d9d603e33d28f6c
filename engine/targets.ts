/**
 * The step systems a check or a replay token can name, rebuilt from their
 * recorded configuration: `model` (the abstract model) and `impl` (the
 * detailed implementation, engine/impl-system.ts).
 */
import { variantByName, GALLERY } from '../impl/state.ts';
import { makeImplSystem } from './impl-system.ts';
import { makeModelSystem, PROFILES } from './model-system.ts';
import { MODEL_VARIANTS, type ModelFixes } from '../model/types.ts';
import { guardInternalErrors, type StepSystem, type SystemConfig } from './system.ts';

export const TARGETS = ['model', 'impl'] as const;
/** The variants of the abstract model (the model is v0.3 only). */
export const VARIANTS = ['v0.3'] as const;
/**
 * The variants the implementation target accepts: v0.3 and the bug gallery
 * (impl/state.ts GALLERY; manifest/variants.json says what each must break).
 */
export const IMPL_VARIANTS: readonly string[] = GALLERY.map((v) => v.name);
export { variantByName };
export const MEMORY_MODELS = ['sc', 'tso'] as const;

/** A configuration that does not describe a system: the message says which field. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function buildSystem(target: string, config: SystemConfig): StepSystem<unknown, unknown> {
  if (!TARGETS.some((t) => t === target)) throw new ConfigError(`unknown target '${target}' (known: ${TARGETS.join(', ')})`);
  const int = (name: string, min: number, max: number): number => {
    const v = config[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ConfigError(`${name} must be a whole number in ${min}..${max}`);
    return v;
  };
  const bool = (name: string): boolean => {
    const v = config[name];
    if (typeof v !== 'boolean') throw new ConfigError(`${name} must be true or false`);
    return v;
  };
  const variantName = config['variant'];
  const variant = typeof variantName === 'string' ? variantByName(variantName) : undefined;
  if (variant === undefined) throw new ConfigError(`unknown variant '${String(variantName)}' (known: ${IMPL_VARIANTS.join(', ')})`);
  const modelForm = modelVariant(variant.name);
  if (target === 'model' && modelForm === undefined) throw new ConfigError(`variant '${variant.name}' ${MODEL_VARIANT_ONLY}`);
  const profile = PROFILES.find((p) => p === config['profile']);
  if (profile === undefined) throw new ConfigError(`profile must be one of ${PROFILES.join(', ')}`);
  const only = config['only'];
  if (only !== undefined && !(Array.isArray(only) && only.every((x) => typeof x === 'string'))) throw new ConfigError('only must be a list of invariant IDs');
  const common = {
    servers: int('servers', 1, 4),
    workers: int('workers', 1, 6),
    profile,
    yield: bool('yield'),
    locks: bool('locks'),
    envBudget: int('envBudget', 0, 8),
    progressBound: int('progressBound', 1, 1_000_000),
    ...(only === undefined ? {} : { only: only as readonly string[] }),
  };
  // The engine sees every target through the same interface; the concrete
  // state and choice types only matter inside the adapter.
  if (target === 'model') return guardInternalErrors(makeModelSystem({ ...common, ...modelForm })) as unknown as StepSystem<unknown, unknown>;
  const memory = MEMORY_MODELS.find((m) => m === config['memory']);
  if (memory === undefined) throw new ConfigError(`memory must be one of ${MEMORY_MODELS.join(', ')}`);
  return guardInternalErrors(makeImplSystem({ ...common, cpus: int('cpus', 1, 8), memory, variant })) as unknown as StepSystem<unknown, unknown>;
}

/**
 * The model's form of a variant: `{}` for v0.3, `{ fixes }` for a variant
 * the model also has (FIXED, model/types.ts MODEL_VARIANTS), undefined for
 * a variant that exists only in the implementation (the bug gallery).
 */
export function modelVariant(variant: string): { readonly fixes?: ModelFixes } | undefined {
  if (variant === 'v0.3') return {};
  const fixes = (MODEL_VARIANTS as Readonly<Record<string, ModelFixes | undefined>>)[variant];
  return fixes === undefined ? undefined : { fixes };
}

/** The end of the message for a variant the model target does not have. */
export const MODEL_VARIANT_ONLY = `applies to --target impl (the model has ${Object.keys(MODEL_VARIANTS).join(', ')})`;
