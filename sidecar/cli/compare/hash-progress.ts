import cliProgress from 'cli-progress';
import { formatBytes } from '../../../shared/format-bytes';
import { formatDuration } from '../../../shared/format-duration';
import type { HashFilesProgress } from '../../services/compare/scan-local-files';

export interface HashProgressOptions {
  /** Where to draw; default process.stderr (stdout stays clean for --json and pipes). */
  stream?: NodeJS.WriteStream;
  /** Draw a live bar; default stream.isTTY. Otherwise plain lines, at most one per `lineEveryMs`. */
  live?: boolean;
  /** Plain-line interval; default 2000 ms. */
  lineEveryMs?: number;
  /** Clock; default performance.now. */
  now?: () => number;
}

export interface HashProgress {
  update(progress: HashFilesProgress): void;
  /** Draws the final state (files, bytes, average speed) and releases the terminal. */
  stop(): void;
}

/**
 * Progress while hashing: files, bytes, speed and ETA. A cli-progress bar on a terminal; plain lines when the
 * output is a pipe or a file (CI logs), so nothing there is full of carriage returns.
 */
export function createHashProgress(options: HashProgressOptions = {}): HashProgress {
  const stream = options.stream ?? process.stderr;
  const live = options.live ?? stream.isTTY === true;
  const lineEveryMs = options.lineEveryMs ?? 2000;
  const now = options.now ?? (() => performance.now());
  const started = now();
  let last: HashFilesProgress | undefined;
  let lastLine = -Infinity;

  const figures = (p: HashFilesProgress) => {
    const seconds = Math.max((now() - started) / 1000, 1e-3);
    const speed = p.bytesDone / seconds;
    const eta = speed > 0 ? (p.bytesTotal - p.bytesDone) / speed : undefined;
    return {
      files: `${p.filesDone}/${p.filesTotal} files`,
      bytes: `${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)}`,
      speed: `${formatBytes(speed)}/s`,
      eta: formatDuration(eta),
    };
  };

  const bar = live
    ? new cliProgress.SingleBar(
        {
          stream,
          format: 'Hashing [{bar}] {percentage}% | {files} | {bytes} | {speed} | ETA {etaText}',
          hideCursor: true,
          barsize: 30,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;

  return {
    update(progress) {
      if (bar && last === undefined) bar.start(Math.max(progress.bytesTotal, 1), 0);
      last = progress;
      const f = figures(progress);
      if (bar) {
        bar.setTotal(Math.max(progress.bytesTotal, 1));
        bar.update(progress.bytesDone, { files: f.files, bytes: f.bytes, speed: f.speed, etaText: f.eta });
        return;
      }
      const t = now();
      if (t - lastLine < lineEveryMs) return;
      lastLine = t;
      stream.write(`Hashing: ${f.files}, ${f.bytes}, ${f.speed}, ETA ${f.eta}\n`);
    },
    stop() {
      if (last === undefined) return;
      const f = figures(last);
      if (bar) {
        bar.update(last.bytesDone, { files: f.files, bytes: f.bytes, speed: f.speed, etaText: '0s' });
        bar.stop();
        return;
      }
      stream.write(`Hashed: ${f.files}, ${f.bytes}, ${f.speed}\n`);
    },
  };
}
