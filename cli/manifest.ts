/**
 * `umcg-verify manifest [--update]`: compare (or, with --update, rewrite)
 * the observed results of manifest/explore.json's configurations. Update
 * only after a deliberate model change, and review the diff: the manifest
 * is the regression record of state counts and expected violations.
 */
import { explore } from '../engine/explore.ts';
import { writeFileAtomic } from '../engine/fs.ts';
import { configName, loadManifest, manifestOptions, MANIFEST_PATH, observed } from '../engine/manifest.ts';
import { parse } from './args.ts';
import { EXIT } from './usage-error.ts';

export async function manifestCommand(args: readonly string[]): Promise<number> {
  const { values } = parse('manifest', args, { update: { type: 'boolean' } });
  const entries = loadManifest();
  let same = true;
  const updated = entries.map((e) => {
    const got = observed(explore(manifestOptions(e.config)));
    const ok = JSON.stringify(got) === JSON.stringify(e.expected);
    same &&= ok;
    process.stdout.write(`${ok ? 'same   ' : 'CHANGED'} ${configName(e.config)}: ${JSON.stringify(got)}\n`);
    return { config: e.config, expected: got };
  });
  if (values.update === true) {
    writeFileAtomic(MANIFEST_PATH, `${JSON.stringify(updated, null, 2)}\n`);
    process.stdout.write(`wrote ${MANIFEST_PATH}\n`);
    return EXIT.pass;
  }
  return same ? EXIT.pass : EXIT.violation;
}
