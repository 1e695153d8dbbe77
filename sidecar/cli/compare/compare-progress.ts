import cliProgress from 'cli-progress';
import { formatBytes } from '../../../shared/format-bytes';
import type { HashFilesProgress } from '../../services/compare/scan-local-files';

export interface CompareProgress {
  update(progress: HashFilesProgress): void;
  stop(): void;
}

/**
 * The `--scan-files` progress: a bar (files, bytes, speed, ETA) on a terminal; elsewhere a plain line every ~10% so
 * logs stay readable; nothing at all with --json or --quiet.
 */
export function createCompareProgress(options: { stream: NodeJS.WriteStream; enabled: boolean }): CompareProgress {
  const { stream, enabled } = options;
  if (!enabled) return { update: () => {}, stop: () => {} };
  if (stream.isTTY !== true) {
    let lastDecile = -1;
    return {
      update: (p) => {
        const decile = p.filesTotal === 0 ? 10 : Math.floor((p.filesDone / p.filesTotal) * 10);
        if (decile === lastDecile) return;
        lastDecile = decile;
        stream.write(
          `hashing: ${p.filesDone}/${p.filesTotal} files, ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}\n`,
        );
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'hashing |{bar}| {percentage}% {files} files {done}/{size} {speed} ETA {eta_formatted}',
      hideCursor: true,
      fps: 5,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = Date.now();
  let running = false;
  return {
    update: (p) => {
      const seconds = (Date.now() - started) / 1000;
      const payload = {
        files: `${p.filesDone}/${p.filesTotal}`,
        done: formatBytes(p.bytesDone),
        size: formatBytes(p.bytesTotal),
        speed: seconds > 0.5 ? `${formatBytes(p.bytesDone / seconds)}/s` : '',
      };
      // Bytes drive the bar (big files dominate the time); files only when every one came from the cache.
      const total = p.bytesTotal > 0 ? p.bytesTotal : p.filesTotal;
      const value = p.bytesTotal > 0 ? p.bytesDone : p.filesDone;
      if (!running) {
        bar.start(Math.max(1, total), value, payload);
        running = true;
      } else {
        bar.setTotal(Math.max(1, total));
        bar.update(value, payload);
      }
    },
    stop: () => {
      if (running) bar.stop();
    },
  };
}
