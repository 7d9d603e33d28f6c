/**
 * The exploration manifest (manifest/explore.json): the default model
 * configurations with their expected verdict, the invariants each must
 * violate, and the state counts kept as regressions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExploreOptions, ExploreResult } from './explore.ts';
import { DEFAULT_PROGRESS_BOUND } from '../properties/registry.ts';
import type { ModelConfig } from '../model/types.ts';
import { modelVariantName } from './model-system.ts';
import { projectRoot } from './root.ts';

/** A manifest configuration: the model's own configuration. */
export type ExploreConfig = ModelConfig;

export interface ManifestEntry {
  readonly config: ExploreConfig;
  readonly expected: {
    readonly verdict: 'pass' | 'violation';
    /** Every invariant the full exploration finds violated, sorted. */
    readonly violations: readonly string[];
    readonly distinctStates: number;
    readonly depth: number;
    /** Longest run of code steps to quiescence; 'cycle' when some run never ends. */
    readonly longestQuietRun: number | 'cycle';
  };
}

export const MANIFEST_PATH = join(projectRoot(), 'manifest', 'explore.json');

export function loadManifest(path = MANIFEST_PATH): ManifestEntry[] {
  return JSON.parse(readFileSync(path, 'utf8')) as ManifestEntry[];
}

export function configName(c: ExploreConfig): string {
  const extras = [c.yield ? 'yield' : 'no-yield', c.locks ? 'locks' : '', c.envBudget > 0 ? `env=${c.envBudget}` : '']
    .filter((x) => x !== '')
    .join(',');
  const fixes = c.fixes === undefined ? '' : `${modelVariantName(c.fixes)} `;
  return `${fixes}${c.servers}x${c.workers} ${c.profile} ${extras}`;
}

/** Explorer options for a manifest entry: full exploration, every violation kept. */
export function manifestOptions(c: ExploreConfig): ExploreOptions {
  return { ...c, progressBound: DEFAULT_PROGRESS_BOUND, maxStates: 20_000_000, stopAtFirst: false };
}

/** What a manifest entry records of a result. */
export function observed(r: ExploreResult): ManifestEntry['expected'] {
  return {
    verdict: r.verdict === 'pass' ? 'pass' : 'violation',
    violations: r.violations.map((v) => v.invariant).sort(),
    distinctStates: r.distinctStates,
    depth: r.depth,
    longestQuietRun: r.longestQuietRun === Infinity ? 'cycle' : r.longestQuietRun,
  };
}
