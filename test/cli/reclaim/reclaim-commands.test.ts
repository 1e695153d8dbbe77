import { lstat, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { treeSnapshot } from '../../disk/tree-snapshot';
import { makeAppTree, test } from '../../services/reclaim/reclaim-fixture';
import { runCli } from '../run-cli';

async function cliIn(dir: string, modelsRoot: string) {
  const config = join(dir, 'cli-home', 'config.json');
  await mkdir(join(dir, 'cli-home'), { recursive: true });
  await writeFile(config, '{}');
  const env = { MODEL_DEPOT_CONFIG: config, HF_HUB_CACHE: join(dir, 'no-hf-cache') };
  return (...args: string[]) => runCli(['--models', modelsRoot, ...args], { cwd: join(dir, 'cli-home'), env });
}

describe('model-depot dedupe, remove, doctor, prune', () => {
  test('dedupe --dry-run changes nothing; dedupe links; remove keeps links; doctor reports a hand deletion', async ({
    volume,
  }) => {
    const tree = await makeAppTree(volume.dir);
    const cli = await cliIn(volume.dir, tree.modelsRoot);
    const [base, style] = tree.models;
    if (!base || !style) throw new Error('fixture');
    const before = await treeSnapshot(join(volume.dir, 'app-one'));

    const dry = await cli('dedupe', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(
      /Would make 3 links in 3 groups and give back 7\.3 MB\..*Dry run: nothing was changed\./,
    );
    expect(await treeSnapshot(join(volume.dir, 'app-one'))).toEqual(before);

    const filtered = await cli('--json', 'dedupe', '--dry-run', '--folder', 'loras', '--min-size', '1M');
    expect(JSON.parse(filtered.stdout).totals).toMatchObject({ groups: 1, links: 1, bytesToFree: 2 << 20 });

    const real = await cli('--json', 'dedupe');
    expect(real.code).toBe(0);
    const report = JSON.parse(real.stdout);
    expect(report.totals.links).toBe(3);
    if (volume.privateVolume) expect(report.totals.bytesFreed).toBe(7 << 20);

    const removed = await cli('remove', base.canonical);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(`Its bytes are now held by ${base.copy}.`);
    expect((await lstat(base.copy)).isFile()).toBe(true);

    expect((await cli('doctor')).code).toBe(0);
    const { rm } = await import('node:fs/promises');
    await rm(style.canonical);
    const doctor = await cli('doctor');
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/^gone .*style\.safetensors/m);
    expect(doctor.stdout).toMatch(
      /^broken-link .*app-two\/loras\/style\.safetensors is a symlink to a file that is gone/m,
    );

    expect((await cli('prune', '--dry-run')).stdout).toMatch(/Would give back 0 B \(0 items\)/);
    expect((await cli('prune', '--older-than', 'soon')).code).toBe(2);
  });
});
