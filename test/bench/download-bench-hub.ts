/**
 * Shared by the download benches: the fake hub as a separate process (so its content generation does not share a
 * core's event loop with the downloader being measured), a scratch directory, and line printing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const zHubUrls = z.object({ hfUrl: z.string(), cdnUrl: z.string(), civitaiUrl: z.string(), storageUrl: z.string() });
export type HubUrls = z.infer<typeof zHubUrls>;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BenchHub extends HubUrls {
  /** The resolve URL of `org/bench/<file>`. */
  resolveUrl(file: string): string;
  stop(): Promise<void>;
}

/**
 * Starts `serve-fake-hub.ts` serving `org/bench/<name>` files of the given sizes and waits for its URLs. `faults`
 * are the hub's `--fault` objects (a `slow` one without `times` paces every connection on its own).
 */
export async function startBenchHub(files: Record<string, number>, faults: object[] = []): Promise<BenchHub> {
  const args = ['--import', 'tsx', path.join(repoRoot, 'test/fake-hub/serve-fake-hub.ts')];
  for (const [name, size] of Object.entries(files)) args.push('--file', `org/bench/${name}=${size}:${name}`);
  for (const fault of faults) args.push('--fault', JSON.stringify(fault));
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`serve-fake-hub exited with ${code}`)));
  });
  const urls = zHubUrls.parse(JSON.parse(firstLine));
  return {
    ...urls,
    resolveUrl: (file) => `${urls.hfUrl}/org/bench/resolve/main/${file}`,
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export async function scratchDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'md-bench-download-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export const GiB = 1024 * 1024 * 1024;
export const MiB = 1024 * 1024;
