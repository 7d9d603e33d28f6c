/**
 * `umcg-verify` with no command: explore every configuration of the
 * manifest, print a table (configuration, expected, verdict, violated
 * invariants, states, time) and exit 0 only if every result matches its
 * expectation. `--json` prints {"ok":bool,"results":[...]}.
 */
import { Presets, SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import { explore } from '../engine/explore.ts';
import { configName, loadManifest, manifestOptions, observed, type ManifestEntry } from '../engine/manifest.ts';
import { loadVariantsManifest, runVariantEntry, type VariantResult } from '../engine/variants-manifest.ts';
import { parse, shardOption } from './args.ts';
import { EXIT } from './usage-error.ts';

export interface CampaignResult {
  readonly config: string;
  readonly expected: ManifestEntry['expected'];
  readonly observed: ManifestEntry['expected'];
  readonly ok: boolean;
  readonly elapsedMs: number;
}

export function runCampaign(entries: readonly ManifestEntry[], onResult?: (r: CampaignResult) => void): CampaignResult[] {
  return entries.map((e) => {
    const r = explore(manifestOptions(e.config));
    const got = observed(r);
    const ok = JSON.stringify(got) === JSON.stringify(e.expected);
    const result = { config: configName(e.config), expected: e.expected, observed: got, ok, elapsedMs: Math.round(r.elapsedMs) };
    onResult?.(result);
    return result;
  });
}

/** The entries of `list` (which starts at position `offset` of the whole campaign) that run in `shard`. */
export function shardEntries<T>(list: readonly T[], offset: number, shard: { readonly index: number; readonly count: number } | undefined): T[] {
  return shard === undefined ? [...list] : list.filter((_, k) => (k + offset) % shard.count === shard.index);
}

export async function campaignCommand(args: readonly string[]): Promise<number> {
  const { values } = parse('campaign', args, { json: { type: 'boolean' }, shard: { type: 'string' } });
  const json = values.json === true;
  // --shard i/n: entry k of the model manifest followed by the gallery runs
  // in shard (k mod n) + 1, so n machines together run every entry once.
  const shard = shardOption('campaign', values.shard);
  const mine = <T>(list: readonly T[], offset: number): T[] => shardEntries(list, offset, shard);
  const models = mine(loadManifest(), 0);
  const gallery = mine(loadVariantsManifest(), loadManifest().length);
  // A progress bar on a terminal (stderr, so stdout stays the table or the JSON).
  const bar =
    !json && process.stderr.isTTY === true
      ? new SingleBar({ format: 'campaign [{bar}] {value}/{total} {name}', stream: process.stderr, clearOnComplete: true }, Presets.shades_classic)
      : undefined;
  bar?.start(models.length + gallery.length, 0, { name: '' });
  const results = runCampaign(models, (r) => bar?.increment({ name: r.config }));
  const variants = gallery.map((e) => {
    const r = runVariantEntry(e);
    bar?.increment({ name: `${e.variant} ${e.memory}` });
    return r;
  });
  bar?.stop();
  const ok = results.every((r) => r.ok) && variants.every((r) => r.ok);
  if (json) {
    const checks = variants.map((r) => ({
      variant: r.entry.variant,
      profile: r.entry.profile,
      memory: r.entry.memory,
      strategy: r.entry.strategy,
      expected: r.entry.expected,
      verdict: r.observed === 'pass' ? 'pass' : 'violation',
      ...(r.observed === 'pass' ? {} : { invariant: r.observed.slice('violation of '.length) }),
      ...(r.steps === undefined ? {} : { steps: r.steps }),
      runs: r.runs,
      elapsedMs: r.elapsedMs,
      ok: r.ok,
    }));
    process.stdout.write(`${JSON.stringify({ ok, results: [...results, ...checks] })}\n`);
    return ok ? EXIT.pass : EXIT.violation;
  }
  const table = new Table({
    head: ['configuration', 'expected', 'verdict', 'violated invariants', 'states', 'depth', 'time', 'match'],
    style: { head: [], border: [] },
  });
  for (const r of results) {
    table.push([
      r.config,
      r.expected.verdict,
      r.observed.verdict,
      r.observed.violations.join('\n') || '-',
      r.observed.distinctStates,
      r.observed.depth,
      `${r.elapsedMs} ms`,
      r.ok ? 'yes' : 'NO',
    ]);
  }
  process.stdout.write(`umcg-verify: exhaustive exploration of the abstract v0.3 model (manifest/explore.json)\n${table.toString()}\n`);
  for (const r of results.filter((x) => !x.ok)) {
    process.stdout.write(`mismatch in ${r.config}: expected ${JSON.stringify(r.expected)}, observed ${JSON.stringify(r.observed)}\n`);
  }
  process.stdout.write(`\nthe bug gallery on the detailed implementation (manifest/variants.json)\n${variantTable(variants)}\n`);
  for (const r of variants.filter((x) => !x.ok)) {
    process.stdout.write(`mismatch in ${r.entry.variant} ${r.entry.memory}: expected ${r.entry.expected}, observed ${r.observed}\n`);
  }
  process.stdout.write(ok ? 'every verdict matches its expectation\n' : 'some results differ from the manifest\n');
  return ok ? EXIT.pass : EXIT.violation;
}

function variantTable(rows: readonly VariantResult[]): string {
  const table = new Table({
    head: ['variant', 'profile', 'memory', 'strategy', 'expected', 'verdict', 'invariant', 'steps (shrunk)', 'runs', 'time', 'match'],
    style: { head: [], border: [] },
  });
  for (const r of rows) {
    const e = r.entry;
    const violated = r.observed.startsWith('violation of ') ? r.observed.slice('violation of '.length) : '-';
    table.push([
      e.variant,
      e.profile,
      e.memory,
      e.strategy,
      e.expected,
      violated === '-' ? 'pass' : 'violation',
      violated,
      r.steps ?? '-',
      r.runs,
      `${r.elapsedMs} ms`,
      r.ok ? 'yes' : 'NO',
    ]);
  }
  return table.toString();
}
