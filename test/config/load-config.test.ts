import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { DEFAULT_ALLOWED_ORIGINS, MANAGER_MODEL_LIST_URL, zConfig } from '../../sidecar/config/config-schema';
import type { DepotError } from '../../shared/errors';
import { loadConfig } from '../../sidecar/config/load-config';
import { depotErrorOf } from '../shared/depot-error-of';
import { test } from '../disk/temp-dir-test';

function badConfig(file: string): Promise<DepotError> {
  return depotErrorOf(loadConfig({ file }));
}

/** Asserts that loading `text` fails with BAD_CONFIG and leaves the file byte for byte as it was. */
async function expectRefused(dir: string, text: string): Promise<DepotError> {
  const file = path.join(dir, 'config.json');
  await writeFile(file, text);
  const before = await stat(file);
  const error = await badConfig(file);
  expect(error.code).toBe('BAD_CONFIG');
  expect(error.message).toContain(file);
  expect(await readFile(file, 'utf8')).toBe(text);
  expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
  return error;
}

describe('loadConfig', () => {
  test('creates the file with every default and a _comment on first run', async ({ dir }) => {
    const file = path.join(dir, 'nested', 'config.json');
    const { config, file: used, created } = await loadConfig({ file });
    expect(used).toBe(file);
    expect(created).toBe(true);
    expect(config).toMatchObject({
      models_directory: './models',
      hub_directories: [],
      bandwidth_limit_kb: null,
      port: 8190,
      host: '127.0.0.1',
      parallel_downloads: 3,
      allowed_origins: DEFAULT_ALLOWED_ORIGINS,
      allowed_hosts: [],
      catalogs: [MANAGER_MODEL_LIST_URL],
    });
    const written = JSON.parse(await readFile(file, 'utf8'));
    expect(written._comment).toMatch(/Edit/);
    expect(zConfig.parse(written)).toEqual(config);
    const again = await loadConfig({ file });
    expect(again.created).toBe(false);
    expect(again.config).toEqual(config);
  });

  test("reads a person's values, fills left-out keys with defaults, and never rewrites the file", async ({ dir }) => {
    const file = path.join(dir, 'config.json');
    const text = '{ "hub_directories": ["/mnt/hub"], "bandwidth_limit_kb": 90000, "_note": "mine" }\n';
    await writeFile(file, text);
    const { config } = await loadConfig({ file });
    expect(config).toMatchObject({ hub_directories: ['/mnt/hub'], bandwidth_limit_kb: 90000, port: 8190 });
    expect(await readFile(file, 'utf8')).toBe(text);
  });

  test('accepts the single-folder hub_directory key', async ({ dir }) => {
    const file = path.join(dir, 'config.json');
    await writeFile(file, JSON.stringify({ hub_directory: '/mnt/llm/hub/models', bandwidth_limit_kb: 90000 }));
    expect((await loadConfig({ file })).config.hub_directory).toBe('/mnt/llm/hub/models');
  });

  test('refuses a file that is not JSON, naming the file and the line, and leaves it untouched', async ({ dir }) => {
    const error = await expectRefused(dir, '{\n  "port": 8190,\n  "host": \n}\n');
    expect(error.message).toMatch(/is not valid JSON \(line 4, column 1/);
  });

  test('refuses a key of the wrong type, naming the key and what it must hold, and leaves the file untouched', async ({
    dir,
  }) => {
    const error = await expectRefused(dir, '{ "bandwidth_limit_kb": "fast" }');
    expect(error.message).toContain('"bandwidth_limit_kb": "fast"');
    expect(error.message).toContain('a positive number of KB/s');
    expect(error.details).toMatchObject({ key: 'bandwidth_limit_kb' });
  });

  test('names the exact entry of a bad list item', async ({ dir }) => {
    const error = await expectRefused(dir, '{ "hub_directories": ["/a", 7] }');
    expect(error.message).toContain('"hub_directories.1": 7');
  });

  test('refuses an unknown key (a typo would be silently ignored) and a file that is not an object', async ({
    dir,
  }) => {
    expect((await expectRefused(dir, '{ "bandwith_limit_kb": 5 }')).message).toContain(
      'unknown key "bandwith_limit_kb"',
    );
    expect((await expectRefused(dir, '[1, 2]')).message).toContain('must hold a JSON object');
  });

  test('refuses an out-of-range port', async ({ dir }) => {
    expect((await expectRefused(dir, '{ "port": 70000 }')).message).toContain('"port": 70000');
  });

  test('reads allowed_hosts (host names and addresses without port) and refuses anything else in it', async ({
    dir,
  }) => {
    const file = path.join(dir, 'config.json');
    await writeFile(
      file,
      JSON.stringify({ host: '0.0.0.0', allowed_hosts: ['depot.lan', '192.168.1.20', '[fe80::1]'] }),
    );
    expect((await loadConfig({ file })).config.allowed_hosts).toEqual(['depot.lan', '192.168.1.20', '[fe80::1]']);
    for (const bad of ['depot.lan:8190', 'http://depot.lan', '*', '0.0.0.0', 'depot.lan/x', '']) {
      const error = await expectRefused(dir, JSON.stringify({ allowed_hosts: [bad] }));
      expect(error.details, bad).toMatchObject({ key: 'allowed_hosts.0' });
      expect(error.message, bad).toContain('a list of host names or addresses without port');
    }
  });
});
