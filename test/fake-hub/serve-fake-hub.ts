/**
 * Runs a fake hub as a process for benches, the e2e test and the TUI test:
 *
 *   node --import tsx test/fake-hub/serve-fake-hub.ts [--config hub.json] [--file org/repo/path=SIZE[:SEED]]...
 *     [--civitai-file VERSION/name=SIZE[:SEED]]... [--hf-token T]... [--civitai-token T]... [--fault JSON]...
 *     [--gated org/repo=TOKEN]
 *
 * `--config` is a JSON file `{ repos?, civitaiVersions?, hfTokens?, civitaiTokens?, treePageSize?, faults? }` with the
 * shapes of createFakeHub's options (file `content` as a string). SIZE takes K, M, G suffixes (binary).
 * Prints one JSON line `{"hfUrl","cdnUrl","civitaiUrl","storageUrl","pid"}` on stdout, then serves until SIGTERM/SIGINT.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createFakeHub } from './create-fake-hub';
import type { CivitaiVersionSpec, RepoSpec } from './fake-hub-types';

const zFileSpec = z.object({
  path: z.string(),
  size: z.number().int().nonnegative().optional(),
  seed: z.union([z.string(), z.number()]).optional(),
  content: z.string().optional(),
  lfs: z.boolean().optional(),
});
const zRepoSpec = z.object({
  id: z.string(),
  type: z.enum(['model', 'dataset', 'space']).optional(),
  revision: z.string().optional(),
  aliases: z.array(z.string()).optional(),
  gated: z.union([z.literal(false), z.literal('auto'), z.literal('manual')]).optional(),
  private: z.boolean().optional(),
  tokensWithAccess: z.array(z.string()).optional(),
  files: z.array(zFileSpec),
});
const zCivitaiVersionSpec = z.object({
  id: z.number().int(),
  modelId: z.number().int().optional(),
  name: z.string().optional(),
  modelName: z.string().optional(),
  modelType: z.string().optional(),
  baseModel: z.string().optional(),
  requiresAuth: z.enum(['login', 'early-access', 'disabled']).optional(),
  tokensWithAccess: z.array(z.string()).optional(),
  archived: z.boolean().optional(),
  files: z.array(
    zFileSpec.omit({ path: true, lfs: true }).extend({
      name: z.string(),
      id: z.number().int().optional(),
      type: z.string().optional(),
      format: z.string().optional(),
      sizeLabel: z.enum(['full', 'pruned']).optional(),
      fp: z.string().optional(),
      primary: z.boolean().optional(),
    }),
  ),
});
const zFaultTarget = {
  server: z.enum(['hf', 'cdn', 'civitai', 'storage']).optional(),
  repoId: z.string().optional(),
  file: z.string().optional(),
  urlPath: z.string().optional(),
  times: z.number().int().positive().optional(),
};
const zFault = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ignore-range'), ...zFaultTarget }),
  z.object({ kind: z.literal('drop-after'), bytes: z.number().int().nonnegative(), ...zFaultTarget }),
  z.object({ kind: z.literal('stall-after'), bytes: z.number().int().nonnegative(), ...zFaultTarget }),
  z.object({ kind: z.literal('corrupt'), offset: z.number().int().nonnegative(), ...zFaultTarget }),
  z.object({ kind: z.literal('slow'), bytesPerSecond: z.number().positive(), ...zFaultTarget }),
  z.object({ kind: z.literal('expire-signature'), ...zFaultTarget }),
  z.object({
    kind: z.literal('fail'),
    status: z.union([z.literal(408), z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
    retryAfter: z.number().optional(),
    resetSeconds: z.number().optional(),
    ...zFaultTarget,
  }),
  z.object({
    kind: z.literal('redirect'),
    location: z.string(),
    status: z.union([z.literal(301), z.literal(302), z.literal(303), z.literal(307), z.literal(308)]).optional(),
    ...zFaultTarget,
  }),
  z.object({
    kind: z.literal('change-content'),
    afterBytes: z.number().int().nonnegative(),
    seed: z.union([z.string(), z.number()]),
    ...zFaultTarget,
  }),
]);
const zHubConfig = z.object({
  repos: z.array(zRepoSpec).default([]),
  civitaiVersions: z.array(zCivitaiVersionSpec).default([]),
  hfTokens: z.array(z.string()).default([]),
  civitaiTokens: z.array(z.string()).default([]),
  treePageSize: z.number().int().positive().optional(),
  faults: z.array(zFault).default([]),
});

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMG]?)(i?B)?$/i.exec(text);
  if (match === null) throw new Error(`bad size: ${text}`);
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[match[2].toUpperCase()] ?? 1;
  return Math.round(Number(match[1]) * unit);
}

/** `a/b/c=SIZE[:SEED]` -> the path, the size and the seed. */
function parseFileFlag(flag: string): { path: string; size: number; seed?: string } {
  const eq = flag.lastIndexOf('=');
  if (eq < 0) throw new Error(`expected PATH=SIZE[:SEED], got ${flag}`);
  const [size, seed] = flag.slice(eq + 1).split(':', 2);
  return { path: flag.slice(0, eq), size: parseSize(size), seed };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      file: { type: 'string', multiple: true, default: [] },
      'civitai-file': { type: 'string', multiple: true, default: [] },
      'hf-token': { type: 'string', multiple: true, default: [] },
      'civitai-token': { type: 'string', multiple: true, default: [] },
      gated: { type: 'string', multiple: true, default: [] },
      fault: { type: 'string', multiple: true, default: [] },
    },
  });
  const config = zHubConfig.parse(values.config === undefined ? {} : JSON.parse(await readFile(values.config, 'utf8')));
  const repos = new Map<string, RepoSpec>(config.repos.map((repo) => [repo.id, repo]));
  for (const flag of values.file ?? []) {
    const { path, size, seed } = parseFileFlag(flag);
    const parts = path.split('/');
    const id = parts.slice(0, 2).join('/');
    const repo = repos.get(id) ?? { id, files: [] };
    repo.files.push({ path: parts.slice(2).join('/'), size, seed });
    repos.set(id, repo);
  }
  for (const flag of values.gated ?? []) {
    const [id, token] = flag.split('=', 2);
    const repo = repos.get(id);
    if (repo === undefined) throw new Error(`--gated ${id}: no such repo (add files first)`);
    repo.gated = 'manual';
    repo.tokensWithAccess = [...(repo.tokensWithAccess ?? []), ...(token === undefined ? [] : [token])];
  }
  const versions = new Map<number, CivitaiVersionSpec>(config.civitaiVersions.map((version) => [version.id, version]));
  for (const flag of values['civitai-file'] ?? []) {
    const { path, size, seed } = parseFileFlag(flag);
    const [id, name] = path.split('/', 2);
    const version = versions.get(Number(id)) ?? { id: Number(id), files: [] };
    version.files.push({ name, size, seed });
    versions.set(Number(id), version);
  }
  const hub = await createFakeHub({
    repos: [...repos.values()],
    civitaiVersions: [...versions.values()],
    hfTokens: [...config.hfTokens, ...(values['hf-token'] ?? [])],
    civitaiTokens: [...config.civitaiTokens, ...(values['civitai-token'] ?? [])],
    treePageSize: config.treePageSize,
  });
  const faults: unknown[] = [...config.faults, ...(values.fault ?? []).map((text): unknown => JSON.parse(text))];
  for (const fault of faults) hub.setFault(zFault.parse(fault));
  process.stdout.write(
    `${JSON.stringify({ hfUrl: hub.hfUrl, cdnUrl: hub.cdnUrl, civitaiUrl: hub.civitaiUrl, storageUrl: hub.storageUrl, pid: process.pid })}\n`,
  );
  const stop = (): void => {
    hub.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`serve-fake-hub: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
