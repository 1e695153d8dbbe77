/**
 * `--limit 20000`: with a 20000 KB/s cap (1 KB = 1024 bytes), the rate over 10 s against the target
 * (bar: within 5%, i.e. 0.95x-1.05x). Measured from 1 s after the start (past the first burst) to 11 s.
 */
import path from 'node:path';
import { BYTES_PER_KB, createBandwidthLimiter } from '../../sidecar/remote/bandwidth-limiter';
import { downloadFile } from '../../sidecar/remote/download/download-file';
import { createHostPolicy } from '../../sidecar/remote/host-policy';
import { MiB, scratchDir, startBenchHub } from './download-bench-hub';
import { measureCappedRate } from './measure-capped-rate';

const KBPS = 20_000;
const hub = await startBenchHub({ 'limited.safetensors': 400 * MiB });
const scratch = await scratchDir();

try {
  const rate = await measureCappedRate((signal, onProgress) =>
    downloadFile({
      url: hub.resolveUrl('limited.safetensors'),
      dest: path.join(scratch.dir, 'limited.safetensors'),
      tmpDir: path.join(scratch.dir, 'tmp'),
      hostPolicy: createHostPolicy({ hfEndpoint: hub.hfUrl, allowLoopback: true }),
      limiter: createBandwidthLimiter({ kbps: KBPS }),
      signal,
      progressIntervalMs: 20,
      onProgress,
    }),
  );
  const target = KBPS * BYTES_PER_KB;
  process.stdout.write(
    `limit ${KBPS} KB/s: rate over 10 s ${(rate / target).toFixed(3)}x of the target ` +
      `(${(rate / BYTES_PER_KB).toFixed(0)} KB/s; bar 0.95x-1.05x)\n`,
  );
} finally {
  await hub.stop();
  await scratch.remove();
}
