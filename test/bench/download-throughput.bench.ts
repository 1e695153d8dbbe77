/**
 * Downloading 2 GiB from the fake hub (another process, loopback), hashed and written by downloadFile, against
 * `curl -sL -o FILE` fetching the same URL from the same server in the same run (bar: >= 0.8x of curl).
 * Each side runs twice, interleaved; the better run of each counts (the first pays for page-cache warm-up).
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { downloadFile } from '../../sidecar/remote/download-file';
import { createHostPolicy } from '../../sidecar/remote/host-policy';
import { GiB, scratchDir, startBenchHub } from './download-bench-hub';

const SIZE = 2 * GiB;
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

async function timeDepot(): Promise<number> {
  const dest = path.join(scratch.dir, 'models', 'two.safetensors');
  const started = performance.now();
  const result = await downloadFile({ url, dest, tmpDir: path.join(scratch.dir, 'models', '.cache', 'tmp'), hostPolicy: policy });
  const seconds = (performance.now() - started) / 1000;
  if (result.size !== SIZE) throw new Error(`downloaded ${result.size} bytes, expected ${SIZE}`);
  await rm(dest);
  return seconds;
}

try {
  const curl: number[] = [];
  const depot: number[] = [];
  // Warm-up: the hub's generator and JIT, untimed.
  await timeCurl();
  for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
    curl.push(await timeCurl());
    depot.push(await timeDepot());
  }
  if (process.env.VERBOSE) process.stderr.write(`curl s ${curl.map((s) => s.toFixed(2))} depot s ${depot.map((s) => s.toFixed(2))}\n`);
  const curlRate = SIZE / Math.min(...curl);
  const depotRate = SIZE / Math.min(...depot);
  const mb = (rate: number): string => `${(rate / 1e6).toFixed(0)} MB/s`;
  process.stdout.write(
    `downloadFile 2 GiB (hashed + written + fsynced) ${(depotRate / curlRate).toFixed(2)}x of curl -o ` +
      `(${mb(depotRate)} vs ${mb(curlRate)}; bar >= 0.8x)\n`,
  );
} finally {
  await hub.stop();
  await scratch.remove();
}
