/**
 * Downloads over 8 connections per file, against the fake hub in another process:
 * (a) its CDN paced at 16 MB/s per connection (as CDNs pace each one), a 512 MiB model: downloadFile against
 *     `aria2c -x8 -s8 -k1M --checksum=sha-256=<hex>` on the same URL, as aria2's time over ours (bar 1.0x, goal 1.3x);
 * (c) a 20000 KB/s cap shared by the 8 connections: the rate over 10 s against the target (bar 0.95x-1.05x);
 * (d) peak resident memory while a 4 GiB file comes over 8 connections, against 200 MB (bar < 1.00x).
 */
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { BYTES_PER_KB, createBandwidthLimiter } from '../../sidecar/remote/bandwidth-limiter';
import { downloadFile } from '../../sidecar/remote/download/download-file';
import { createHostPolicy } from '../../sidecar/remote/host-policy';
import { GiB, MiB, scratchDir, startBenchHub } from './download-bench-hub';
import { measureCappedRate } from './measure-capped-rate';

const CONNECTIONS = 8;
const PACED = 'paced.safetensors';
const PACED_SIZE = 512 * MiB;
const LIMITED = 'limited.safetensors';
const LIMITED_SIZE = 400 * MiB;
const LARGE = 'large.safetensors';
const LARGE_SIZE = 4 * GiB;
const KBPS = 20_000;
const BUDGET = 200 * 1000 * 1000;

const hub = await startBenchHub({ [PACED]: PACED_SIZE, [LIMITED]: LIMITED_SIZE, [LARGE]: LARGE_SIZE }, [
  { kind: 'slow', bytesPerSecond: 16e6, server: 'cdn', file: PACED },
]);
const hostPolicy = createHostPolicy({ hfEndpoint: hub.hfUrl, allowLoopback: true });
const line = (text: string): boolean => process.stdout.write(`${text}\n`);

try {
  await paced();
  await capped();
  await memory();
} finally {
  await hub.stop();
}

async function paced(): Promise<void> {
  const scratch = await scratchDir();
  try {
    const started = performance.now();
    const ours = await downloadFile({
      url: hub.resolveUrl(PACED),
      dest: path.join(scratch.dir, 'ours', PACED),
      tmpDir: path.join(scratch.dir, 'tmp'),
      expectedSize: PACED_SIZE,
      hostPolicy,
      connections: CONNECTIONS,
    });
    const oursSeconds = (performance.now() - started) / 1000;
    const aria2Started = performance.now();
    await run('aria2c', [
      `-x${CONNECTIONS}`,
      `-s${CONNECTIONS}`,
      '-k1M',
      `--checksum=sha-256=${ours.sha256}`,
      '--console-log-level=warn',
      '--summary-interval=0',
      '--download-result=hide',
      '-d',
      path.join(scratch.dir, 'aria2'),
      '-o',
      PACED,
      hub.resolveUrl(PACED),
    ]);
    const aria2Seconds = (performance.now() - aria2Started) / 1000;
    const size = (await stat(path.join(scratch.dir, 'aria2', PACED))).size;
    if (size !== PACED_SIZE) throw new Error(`aria2c wrote ${size} bytes`);
    line(
      `512 MiB at 16 MB/s per connection, 8 connections: ${(aria2Seconds / oursSeconds).toFixed(2)}x of aria2c's ` +
        `speed (ours ${oursSeconds.toFixed(2)} s, aria2c -x8 -s8 -k1M ${aria2Seconds.toFixed(2)} s; bar 1.0x, goal 1.3x)`,
    );
  } finally {
    await scratch.remove();
  }
}

async function capped(): Promise<void> {
  const scratch = await scratchDir();
  try {
    const rate = await measureCappedRate((signal, onProgress) =>
      downloadFile({
        url: hub.resolveUrl(LIMITED),
        dest: path.join(scratch.dir, LIMITED),
        tmpDir: path.join(scratch.dir, 'tmp'),
        expectedSize: LIMITED_SIZE,
        hostPolicy,
        connections: CONNECTIONS,
        limiter: createBandwidthLimiter({ kbps: KBPS }),
        signal,
        progressIntervalMs: 20,
        onProgress,
      }),
    );
    const target = KBPS * BYTES_PER_KB;
    line(
      `limit ${KBPS} KB/s over 8 connections: rate over 10 s ${(rate / target).toFixed(3)}x of the target ` +
        `(${(rate / BYTES_PER_KB).toFixed(0)} KB/s; bar 0.95x-1.05x)`,
    );
  } finally {
    await scratch.remove();
  }
}

async function memory(): Promise<void> {
  const scratch = await scratchDir();
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  try {
    const started = performance.now();
    const result = await downloadFile({
      url: hub.resolveUrl(LARGE),
      dest: path.join(scratch.dir, LARGE),
      tmpDir: path.join(scratch.dir, 'tmp'),
      expectedSize: LARGE_SIZE,
      hostPolicy,
      connections: CONNECTIONS,
    });
    const seconds = (performance.now() - started) / 1000;
    peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
    line(
      `peak RSS downloading 4 GiB over 8 connections ${(peak / BUDGET).toFixed(2)}x of the 200 MB budget ` +
        `(${(peak / 1e6).toFixed(0)} MB; ${(result.size / GiB).toFixed(0)} GiB in ${seconds.toFixed(1)} s; bar < 1.00x)`,
    );
  } finally {
    clearInterval(sampler);
    await scratch.remove();
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}
