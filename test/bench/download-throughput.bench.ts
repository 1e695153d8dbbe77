/**
 * Downloading 2 GiB from the fake hub (another process, loopback), hashed and written by downloadFile, against
 * `curl -sL -o FILE` fetching the same URL from the same server in the same run (bar: >= 0.8x of curl).
 * Each side runs twice, interleaved; the better run of each counts (the first pays for page-cache warm-up).
 * Also printed: this process's CPU seconds per GiB in its best run (all its threads: socket, parser, hash worker,
 * file writes), the load average before the bench, and a second line against curl followed by an fsync of its file:
 * curl leaves its 2 GiB in the page cache, never on the disk, while downloadFile's bytes are on the disk when it
 * returns (direct writes, then fsync before the rename). The download goes through socketFetch, which reads the body
 * straight into the ring: Node's HTTP client (node-fetch) handed every 64 KiB over as a new external buffer, and its
 * garbage collection (about 4x more major GCs once proper-lockfile is loaded, as in the sidecar) held the download
 * to about half of curl on the 2-core target.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { downloadFile } from '../../sidecar/remote/download/download-file';
import { createHostPolicy } from '../../sidecar/remote/host-policy';
import { GiB, scratchDir, startBenchHub } from './download-bench-hub';

const SIZE = 2 * GiB;
// Before this bench adds its own load: how quiet the machine was.
const loadBefore = os.loadavg()[0];
const hub = await startBenchHub({ 'two.safetensors': SIZE });
const scratch = await scratchDir();
const url = hub.resolveUrl('two.safetensors');
const policy = createHostPolicy({ hfEndpoint: hub.hfUrl, allowLoopback: true });

async function timeCurl(): Promise<number> {
  const file = path.join(scratch.dir, 'curl.bin');
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('curl', ['-sL', '-o', file, url], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl exited with ${code}`))));
  });
  const seconds = (performance.now() - started) / 1000;
  await rm(file);
  return seconds;
}

/** curl, then `sync FILE` (an fsync of that file): the same durability downloadFile gives before it returns. */
async function timeCurlSynced(): Promise<number> {
  const file = path.join(scratch.dir, 'curl-synced.bin');
  const started = performance.now();
  for (const [command, args] of [
    ['curl', ['-sL', '-o', file, url]],
    ['sync', [file]],
  ] as const) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(command, args, { stdio: 'inherit' });
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
    });
  }
  const seconds = (performance.now() - started) / 1000;
  await rm(file);
  return seconds;
}

/** CPU seconds (user + system, every thread of this process) of each timed downloadFile run. */
const depotCpu: number[] = [];

async function timeDepot(): Promise<number> {
  const dest = path.join(scratch.dir, 'models', 'two.safetensors');
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await downloadFile({
    url,
    dest,
    tmpDir: path.join(scratch.dir, 'models', '.cache', 'tmp'),
    hostPolicy: policy,
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  depotCpu.push((cpu.user + cpu.system) / 1e6);
  if (result.size !== SIZE) throw new Error(`downloaded ${result.size} bytes, expected ${SIZE}`);
  await rm(dest);
  return seconds;
}

try {
  const curl: number[] = [];
  const curlSynced: number[] = [];
  const depot: number[] = [];
  // Warm-up: the hub's generator and JIT, untimed.
  await timeCurl();
  for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
    curl.push(await timeCurl());
    depot.push(await timeDepot());
    curlSynced.push(await timeCurlSynced());
  }
  if (process.env.VERBOSE) {
    const list = (runs: number[]): string => runs.map((s) => s.toFixed(2)).join(',');
    process.stderr.write(`curl s ${list(curl)}; depot s ${list(depot)}; curl+fsync s ${list(curlSynced)}\n`);
  }
  const curlRate = SIZE / Math.min(...curl);
  const depotRate = SIZE / Math.min(...depot);
  const bestCpu = depotCpu[depot.indexOf(Math.min(...depot))] ?? 0;
  const mb = (rate: number): string => `${(rate / 1e6).toFixed(0)} MB/s`;
  process.stdout.write(
    `downloadFile 2 GiB (hashed + written + fsynced) ${(depotRate / curlRate).toFixed(2)}x of curl -o ` +
      `(${mb(depotRate)} vs ${mb(curlRate)}; bar >= 0.8x; ${(bestCpu / (SIZE / GiB)).toFixed(2)} CPU-s/GiB in this ` +
      `process; load avg ${loadBefore.toFixed(2)} before)\n`,
  );
  const syncedRate = SIZE / Math.min(...curlSynced);
  process.stdout.write(
    `downloadFile 2 GiB ${(depotRate / syncedRate).toFixed(2)}x of curl -o then fsync of its file (${mb(depotRate)} vs ` +
      `${mb(syncedRate)}; informative: the same durability on both sides)\n`,
  );
} finally {
  await hub.stop();
  await scratch.remove();
}
