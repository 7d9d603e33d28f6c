import { describe, expect, it } from 'vitest';
import { shardEntries } from '../../cli/campaign.ts';
import { runCli } from '../helpers/cli.ts';

describe('umcg-verify --shard i/n', () => {
  it('splits the campaign so that the shards together run every entry exactly once', () => {
    const models = Array.from({ length: 8 }, (_, k) => `m${k}`);
    const variants = Array.from({ length: 5 }, (_, k) => `v${k}`);
    for (const n of [1, 2, 3, 7, 20]) {
      const all: string[] = [];
      for (let i = 0; i < n; i++) {
        all.push(...shardEntries(models, 0, { index: i, count: n }), ...shardEntries(variants, models.length, { index: i, count: n }));
      }
      expect(all.sort()).toEqual([...models, ...variants].sort());
    }
    expect(shardEntries(models, 0, undefined)).toEqual(models);
  });

  it('rejects a malformed shard with one line on stderr and exit 2', async () => {
    for (const bad of ['0/3', '4/3', 'x', '1/0']) {
      const r = await runCli(['--shard', bad]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^umcg-verify: campaign: --shard must be i\/n/);
      expect(r.out).toBe('');
    }
  });
});
