import cliProgress from 'cli-progress';
import { formatBytes } from '../../../shared/format-bytes';

/** Where one file stands, as the downloader reports it. */
export interface FileProgress {
  /** Bytes received (a resumed prefix counts). */
  bytes: number;
  /** The downloader's phase; 'verifying' once every byte arrived. */
  state?: 'downloading' | 'verifying';
}

export interface CompareDownloadProgress {
  /** One file's progress; its bar appears with its first report. `size` is its expected byte count. */
  file(name: string, size: number, progress: FileProgress): void;
  /** A file finished or failed: its bar goes, and `line` (when given) is kept above the bars. */
  finished(name: string, line?: string): void;
  stop(): void;
}

export interface CompareDownloadProgressOptions {
  /** Where bars and lines go (stderr: stdout carries the report and --json). */
  stream: NodeJS.WritableStream;
  /**
   * Draw bars: a bar per file in flight plus the aggregate. The caller decides (a terminal on both stdout and
   * stderr, not --json or --quiet); otherwise only the lines given to `finished` are written, one a line.
   */
  bars: boolean;
  filesTotal: number;
  bytesTotal: number;
  /** Milliseconds, for the speeds; default Date.now. */
  now?: () => number;
}

/** File names are cut to this many characters (keeping the end, where the name is) so that the bars line up. */
const NAME_WIDTH = 32;

/**
 * `--download` progress: on a terminal one aggregate bar (files, bytes of every missing file, speed, ETA) with a bar
 * below it for each file in flight (name, percent, bytes, speed), and a line per finished file kept above them;
 * elsewhere only those lines, so logs and pipes stay plain text.
 */
export function createCompareDownloadProgress(options: CompareDownloadProgressOptions): CompareDownloadProgress {
  const { stream } = options;
  if (!options.bars) {
    return {
      file: () => {},
      finished: (_name, line) => {
        if (line !== undefined) stream.write(`${line}\n`);
      },
      stop: () => {},
    };
  }
  return new DownloadBars({ ...options, now: options.now ?? Date.now });
}

interface InFlight {
  bar: cliProgress.SingleBar;
  size: number;
  /** The first report's bytes: a resumed prefix is not speed. */
  firstBytes: number;
  firstAt: number;
  bytes: number;
}

class DownloadBars implements CompareDownloadProgress {
  readonly #multi: cliProgress.MultiBar;
  readonly #total: cliProgress.SingleBar;
  readonly #inFlight = new Map<string, InFlight>();
  /** Bytes of files no longer in flight (finished or failed), and what of them was a resumed prefix. */
  #settledBytes = 0;
  #settledPrefix = 0;
  #filesDone = 0;
  readonly #started: number;

  constructor(private readonly options: Required<CompareDownloadProgressOptions>) {
    this.#started = options.now();
    this.#multi = new cliProgress.MultiBar(
      {
        stream: options.stream,
        hideCursor: true,
        fps: 5,
        barsize: 24,
        format: '{name} |{bar}| {percentage}% {done}/{size}{speed}',
      },
      cliProgress.Presets.shades_classic,
    );
    this.#total = this.#multi.create(
      Math.max(1, options.bytesTotal),
      0,
      {},
      {
        format: 'downloading |{bar}| {percentage}% {files} files {done}/{size}{speed} ETA {eta_formatted}',
      },
    );
    this.#redrawTotal();
  }

  file(name: string, size: number, progress: FileProgress): void {
    const now = this.options.now();
    let entry = this.#inFlight.get(name);
    if (entry === undefined) {
      const bar = this.#multi.create(Math.max(1, size), 0, {}, { barsize: 20 });
      entry = { bar, size, firstBytes: progress.bytes, firstAt: now, bytes: progress.bytes };
      this.#inFlight.set(name, entry);
    }
    entry.bytes = progress.bytes;
    const seconds = (now - entry.firstAt) / 1000;
    entry.bar.update(Math.min(progress.bytes, Math.max(1, size)), {
      name: label(name),
      done: formatBytes(progress.bytes),
      size: formatBytes(size),
      speed:
        progress.state === 'verifying'
          ? ' verifying'
          : seconds > 0.5
            ? ` ${formatBytes((progress.bytes - entry.firstBytes) / seconds)}/s`
            : '',
    });
    this.#redrawTotal();
  }

  finished(name: string, line?: string): void {
    this.#filesDone++;
    const entry = this.#inFlight.get(name);
    if (entry !== undefined) {
      this.#inFlight.delete(name);
      this.#settledBytes += entry.bytes;
      this.#settledPrefix += entry.firstBytes;
      this.#multi.remove(entry.bar);
    }
    if (line !== undefined) this.#multi.log(`${line}\n`);
    this.#redrawTotal();
    // MultiBar writes logged lines at its next redraw; forcing it keeps the last file's line from being lost.
    this.#multi.update();
  }

  stop(): void {
    this.#multi.stop();
  }

  #redrawTotal(): void {
    let bytes = this.#settledBytes;
    let fresh = this.#settledBytes - this.#settledPrefix;
    for (const entry of this.#inFlight.values()) {
      bytes += entry.bytes;
      fresh += entry.bytes - entry.firstBytes;
    }
    const seconds = (this.options.now() - this.#started) / 1000;
    const { bytesTotal, filesTotal } = this.options;
    this.#total.update(Math.min(bytes, Math.max(1, bytesTotal)), {
      files: `${this.#filesDone}/${filesTotal}`,
      done: formatBytes(bytes),
      size: formatBytes(bytesTotal),
      speed: seconds > 0.5 ? ` ${formatBytes(fresh / seconds)}/s` : '',
    });
  }
}

function label(name: string): string {
  return name.length <= NAME_WIDTH ? name.padEnd(NAME_WIDTH) : `…${name.slice(-(NAME_WIDTH - 1))}`;
}
