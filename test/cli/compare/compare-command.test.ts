import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it as base } from 'vitest';
import { createFakeHub, type FakeHub } from '../../fake-hub/create-fake-hub';
import { zCompareResult } from '../../../sidecar/services/compare/compare-schema';
import { sha256Of } from '../../services/compare-collection-fixture';
import { parseAria2Input } from '../../services/aria2-input-grammar';

const TOKEN = 'hf_compareSecretToken123';
/** Valid on the hub, but granted nothing. */
const OTHER_TOKEN = 'hf_compareOtherToken456';
const files = [
  { path: 'a.safetensors', content: 'alpha\n', lfs: true },
  { path: 'sub/b.safetensors', content: 'beta\n', lfs: true },
  { path: 'README.md', content: '# readme\n', lfs: false },
];

interface Fixtures {
  dir: string;
  hub: FakeHub;
}

const it = base.extend<Fixtures>({
  dir: async ({}, use) => {
    const dir = await mkdtemp(join(tmpdir(), 'md-compare-cli-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  hub: async ({}, use) => {
    const hub = await createFakeHub({ hfTokens: [OTHER_TOKEN] });
    hub.addRepo({ id: 'me/private-loras', private: true, tokensWithAccess: [TOKEN], files });
    hub.addRepo({ id: 'me/gated-loras', gated: 'manual', tokensWithAccess: [TOKEN], files });
    hub.addRepo({ id: 'me/open-loras', type: 'dataset', files });
    await use(hub);
    await hub.close();
  },
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real CLI, spawned asynchronously so that the fake hub in this process keeps answering. */
function runCli(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/model-depot.cjs', ...args], {
      cwd: join(import.meta.dirname, '..', '..', '..'),
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function setup(dir: string, hub: FakeHub) {
  const localDir = join(dir, 'loras');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(localDir, { recursive: true });
  await writeFile(
    join(localDir, 'a.metadata.json'),
    JSON.stringify({ file_name: 'a', sha256: sha256Of('alpha\n'), size: 6 }),
  );
  await writeFile(join(localDir, 'broken.json'), '{ nope');
  const config = join(dir, 'config.json');
  const env = { HOME: dir, HF_ENDPOINT: hub.hfUrl, MODEL_DEPOT_CONFIG: config };
  return { localDir, env, models: join(dir, 'models') };
}

describe('model-depot compare (spawned CLI)', () => {
  it('explains a private repository without a token (exit 1) and works with HF_TOKEN', async ({ dir, hub }) => {
    const { localDir, env, models } = await setup(dir, hub);
    const args = ['--models', models, 'compare', '--hf-repo', 'me/private-loras', '--local-dir', localDir];
    const denied = await runCli(args, env);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/private|gated|token/i);
    expect(denied.stderr).toMatch(/HF_TOKEN/);

    const allowed = await runCli([...args, '--json'], { ...env, HF_TOKEN: TOKEN });
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    const result = zCompareResult.parse(JSON.parse(allowed.stdout));
    expect(result.summary).toMatchObject({ remoteFiles: 3, matched: 1, missing: 2 });
    expect(result.local.invalid.map((i) => i.file)).toEqual(['broken.json']);
    expect(allowed.stdout).not.toContain(TOKEN);
  });

  it('prints the same clear message for a missing and a private repository, without and with a token (exit 1)', async ({
    dir,
    hub,
  }) => {
    const { localDir, env, models } = await setup(dir, hub);
    const compare = (repo: string, token?: string) =>
      runCli(
        ['--models', models, 'compare', '--hf-repo', repo, '--local-dir', localDir],
        token === undefined ? env : { ...env, HF_TOKEN: token },
      );
    const [missing, hidden, missingWithToken, hiddenWithToken, revoked] = await Promise.all([
      compare('me/no-such-repo'),
      compare('me/private-loras'),
      compare('me/no-such-repo', OTHER_TOKEN),
      compare('me/private-loras', OTHER_TOKEN),
      compare('me/private-loras', 'hf_revokedToken789'),
    ]);
    const withoutToken = (repo: string) =>
      new RegExp(
        `^model-depot: The model repository ${repo} was not found, or it is private and no token was given: set HF_TOKEN \\(or pass --token\\)`,
      );
    expect(missing).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(withoutToken('me/no-such-repo')),
    });
    expect(hidden).toMatchObject({
      code: 1,
      stdout: '',
      stderr: expect.stringMatching(withoutToken('me/private-loras')),
    });
    const withToken = (repo: string) =>
      new RegExp(
        `^model-depot: The model repository ${repo} was not found: it does not exist, or it is private and the token has no access to it\\.`,
      );
    expect(missingWithToken).toMatchObject({ code: 1, stderr: expect.stringMatching(withToken('me/no-such-repo')) });
    expect(hiddenWithToken).toMatchObject({ code: 1, stderr: expect.stringMatching(withToken('me/private-loras')) });
    expect(hiddenWithToken.stderr).not.toMatch(/revision/);
    expect(revoked).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^model-depot: The hub did not accept the token for the model repository me\/private-loras \(invalid or expired\)/,
      ),
    });
    for (const run of [missingWithToken, hiddenWithToken, revoked])
      expect(run.stderr).not.toMatch(/hf_compare|hf_revoked/);
  });

  it('compares a gated repository without a token but warns, refuses --download without one (exit 1), and works with --token', async ({
    dir,
    hub,
  }) => {
    const { localDir, env, models } = await setup(dir, hub);
    const url = `${hub.hfUrl}/me/gated-loras/tree/main`;
    const base = ['--models', models, 'compare', '--hf-url', url, '--local-dir', localDir];
    // The Hub lists a gated repository to anyone; only its files need a granted token.
    const listed = await runCli(base, env);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toMatch(/me\/gated-loras is gated: .*set HF_TOKEN or pass --token/);
    const refused = await runCli([...base, '--download', '--download-dir', join(dir, 'dl')], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^model-depot: Nothing was downloaded: me\/gated-loras is gated/);
    await expect(readdir(join(dir, 'dl'))).rejects.toMatchObject({ code: 'ENOENT' });

    const out = join(dir, 'results');
    const allowed = await runCli(
      [...base, '--token', TOKEN, '--export-all', out, '-v', '--download', '--download-dir', join(dir, 'dl')],
      env,
    );
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/✓ Matches \(SHA-256\)\s+1/);
    expect(allowed.stdout).toMatch(/↓ Missing locally\s+2/);
    expect(allowed.stdout).toMatch(/broken\.json: not JSON/);
    expect(await readFile(join(dir, 'dl', 'sub', 'b.safetensors'), 'utf8')).toBe('beta\n');
    for (const name of await readdir(out)) expect(await readFile(join(out, name), 'utf8')).not.toContain(TOKEN);
    expect(allowed.stdout + allowed.stderr).not.toContain(TOKEN);
  });

  it('exports resolve URLs on the HF_ENDPOINT host and an aria2c file, and --download fetches the missing files', async ({
    dir,
    hub,
  }) => {
    const { localDir, env, models } = await setup(dir, hub);
    const urls = join(dir, 'urls.txt');
    const aria2 = join(dir, 'missing.aria2');
    const target = join(dir, 'downloads');
    const run = await runCli(
      [
        '--models',
        models,
        'compare',
        '--hf-url',
        `${hub.hfUrl}/datasets/me/open-loras`,
        '--local-dir',
        localDir,
        '--export-urls',
        urls,
        '--export-aria2',
        aria2,
        '--download',
        '--download-dir',
        target,
      ],
      env,
    );
    expect(run.stderr).toMatch(/2 downloaded, 0 failed/);
    expect(run.code).toBe(0);
    expect((await readFile(urls, 'utf8')).split('\n').sort()).toEqual([
      '',
      `${hub.hfUrl}/datasets/me/open-loras/resolve/main/README.md`,
      `${hub.hfUrl}/datasets/me/open-loras/resolve/main/sub/b.safetensors`,
    ]);
    const entries = parseAria2Input(await readFile(aria2, 'utf8'));
    expect(entries.map((e) => e.options)).toContainEqual({
      dir: target,
      out: 'sub/b.safetensors',
      checksum: `sha-256=${sha256Of('beta\n')}`,
    });
    expect(await readFile(join(target, 'sub', 'b.safetensors'), 'utf8')).toBe('beta\n');
    expect(await readFile(join(target, 'README.md'), 'utf8')).toBe('# readme\n');
  });

  it('reports a hub it cannot reach as a failure (exit 1), not bad usage', async ({ dir, hub }) => {
    const { localDir, env, models } = await setup(dir, hub);
    // Nothing listens there for this test: a refused connection is a failure (exit 1), not bad usage.
    const offline = await runCli(
      ['--models', models, 'compare', '--hf-repo', 'me/open-loras', '--repo-type', 'dataset', '--local-dir', localDir],
      { ...env, HF_ENDPOINT: 'http://127.0.0.1:9' },
    );
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(/^model-depot: /);
  });

  it('exits 2 on bad usage', async ({ dir, hub }) => {
    const { localDir, env, models } = await setup(dir, hub);
    const both = await runCli(
      [
        '--models',
        models,
        'compare',
        '--hf-repo',
        'a/b',
        '--hf-url',
        'https://huggingface.co/a/b',
        '--local-dir',
        localDir,
      ],
      env,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/exactly one of --hf-url URL or --hf-repo/);
    const missingDir = await runCli(
      ['--models', models, 'compare', '--hf-repo', 'a/b', '--local-dir', join(dir, 'nope')],
      env,
    );
    expect(missingDir.code).toBe(2);
    expect(missingDir.stderr).toMatch(/--local-dir: .*nope is not a folder/);
  });
});
