import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { downloadFile } from '../../sidecar/remote/download/download-file';
import { createLogger } from '../../sidecar/runtime/logger';
import { test } from './fixtures/download-test-context';

const HF_TOKEN = 'hf_leakCheckToken0123456789';
const CIVITAI_TOKEN = 'civitaiLeakCheckKey0123456789';

async function everyFile(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('tokens during downloads', () => {
  test('appear in no file, log line or error, and reach only the HF and Civitai hosts', async ({
    hub,
    policy,
    dirs,
  }) => {
    hub.addRepo({
      id: 'org/private',
      gated: 'manual',
      tokensWithAccess: [HF_TOKEN],
      files: [{ path: 'p.safetensors', size: 3 * 1024 * 1024, seed: 'p' }],
    });
    hub.addCivitaiVersion({
      id: 42,
      requiresAuth: 'login',
      tokensWithAccess: [CIVITAI_TOKEN],
      files: [{ name: 'c.safetensors', size: 1024 * 1024, seed: 'c' }],
    });
    hub.setFault({ kind: 'drop-after', bytes: 1024 * 1024, times: 1, server: 'cdn' });
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (line) => lines.push(line) });
    const errors: string[] = [];
    const common = { tmpDir: dirs.tmpDir, hostPolicy: policy, logger, retry: { baseMs: 1, noiseMs: 0 } };
    await downloadFile({
      ...common,
      url: hub.resolveUrl('org/private', 'p.safetensors'),
      dest: dirs.dest('p.safetensors'),
      token: HF_TOKEN,
    });
    // The Civitai key also in the URL's query, as some workflows carry it.
    await downloadFile({
      ...common,
      url: `${hub.civitaiDownloadUrl(42)}?token=${CIVITAI_TOKEN}`,
      dest: dirs.dest('c.safetensors'),
      token: CIVITAI_TOKEN,
    });
    // A failure's message and details must not carry it either.
    await downloadFile({
      ...common,
      url: hub.resolveUrl('org/private', 'p.safetensors'),
      dest: dirs.dest('again.safetensors'),
      token: 'hf_wrongTokenValue000',
    }).catch((error: unknown) => {
      errors.push(JSON.stringify(error), error instanceof Error ? `${error.message}` : '');
    });
    const haystacks = [...lines, ...errors];
    for (const file of await everyFile(dirs.root)) haystacks.push(await readFile(file, 'latin1'));
    for (const token of [HF_TOKEN, CIVITAI_TOKEN, 'hf_wrongTokenValue000']) {
      expect(haystacks.filter((text) => text.includes(token))).toEqual([]);
    }
    expect(lines.some((line) => line.includes('retrying'))).toBe(true);
    const authorized = hub.requests.filter((r) => r.hasAuthorization || r.hasTokenQuery).map((r) => r.server);
    expect(new Set(authorized)).toEqual(new Set(['hf', 'civitai']));
  });
});
