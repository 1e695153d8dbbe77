import type { DownloadProgress } from '../../sidecar/remote/download/download-file';

/** When the capped rate is read: from past the first burst to ten seconds later; the download is stopped after. */
const FROM_MS = 1000;
const TO_MS = 11_000;
const STOP_MS = 11_200;

/**
 * The rate in bytes/s a capped download keeps from 1 s to 11 s after its start. `start` begins the download with the
 * signal that stops it and the progress listener to call (progressIntervalMs 20 gives enough samples).
 */
export async function measureCappedRate(
  start: (signal: AbortSignal, onProgress: (progress: DownloadProgress) => void) => Promise<unknown>,
): Promise<number> {
  const controller = new AbortController();
  const samples: Array<{ at: number; bytes: number }> = [];
  const started = performance.now();
  const download = start(controller.signal, (progress) =>
    samples.push({ at: performance.now() - started, bytes: progress.bytes }),
  ).catch((error: unknown) => error);
  await new Promise((resolve) => setTimeout(resolve, STOP_MS));
  controller.abort();
  await download;
  const at = (ms: number) => samples.reduce((best, s) => (Math.abs(s.at - ms) < Math.abs(best.at - ms) ? s : best));
  const from = at(FROM_MS);
  const to = at(TO_MS);
  return (to.bytes - from.bytes) / ((to.at - from.at) / 1000);
}
