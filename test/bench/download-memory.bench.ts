/**
 * Peak resident memory of this process while downloadFile fetches 4 GiB from the fake hub (another process),
 * hashing and writing it, against a 200 MB budget (bar: < 1.00x). Streams with bounded buffers: memory must not
 * grow with the file.
 */
import path from 'node:path';
import { downloadFile } from '../../sidecar/remote/download/download-file';
import { createHostPolicy } from '../../sidecar/remote/host-policy';
import { GiB, scratchDir, startBenchHub } from './download-bench-hub';

const BUDGET = 200 * 1000 * 1000;
const hub = await startBenchHub({ 'four.safetensors': 4 * GiB });
const scratch = await scratchDir();
let peak = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 50);
try {
  const started = performance.now();
  const result = await downloadFile({
    url: hub.resolveUrl('four.safetensors'),
    dest: path.join(scratch.dir, 'four.safetensors'),
    tmpDir: path.join(scratch.dir, 'tmp'),
    hostPolicy: createHostPolicy({ hfEndpoint: hub.hfUrl, allowLoopback: true }),
  });
  const seconds = (performance.now() - started) / 1000;
  // maxRSS (KiB) also catches a spike between two samples.
  peak = Math.max(peak, process.resourceUsage().maxRSS * 1024);
  process.stdout.write(
    `peak RSS downloading 4 GiB ${(peak / BUDGET).toFixed(2)}x of the 200 MB budget ` +
      `(${(peak / 1e6).toFixed(0)} MB; ${(result.size / GiB).toFixed(0)} GiB in ${seconds.toFixed(1)} s; bar < 1.00x)\n`,
  );
} finally {
  clearInterval(sampler);
  await hub.stop();
  await scratch.remove();
}
