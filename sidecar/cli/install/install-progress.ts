import cliProgress from 'cli-progress';
import { formatBytes } from '../../../shared/format-bytes';
import { formatDuration } from '../../../shared/format-duration';
import { jobStatusLabel, TERMINAL_JOB_STATES, type Job } from '../../../shared/job';
import { terminalText } from '../terminal-text';

export interface InstallProgressOptions {
  /** Where bars and lines are written. Default process.stderr (stdout stays for --json and results). */
  stream?: NodeJS.WriteStream;
  /** Draw redrawn bars (a terminal) or print one plain line per change. Default `stream.isTTY`. */
  bars?: boolean;
}

/** Shows install jobs: a bar per downloading file and a total bar on a terminal, plain lines elsewhere. */
export interface InstallProgress {
  /** A job changed (any event of the depot). */
  update(job: Job): void;
  /** Takes the bars off the screen while a prompt is shown. */
  pause(): void;
  /** Brings the bars back after a prompt. */
  resume(): void;
  /** Final redraw; leaves the terminal clean. */
  stop(): void;
}

type Bar = cliProgress.SingleBar;

const BAR_FORMAT = '{name} |{bar}| {percentage}% {done}/{size} {speed} ETA {eta}';

function payloadOf(filename: string, bytes: number, total: number, speed: number, eta?: number) {
  // The name comes from a workflow: escaped, a control character cannot redraw the bars.
  const name = terminalText(filename);
  return {
    name: name.length > 32 ? `…${name.slice(-31)}` : name.padEnd(32),
    done: formatBytes(bytes),
    size: formatBytes(total),
    speed: speed > 0 ? `${formatBytes(speed)}/s` : '',
    eta: formatDuration(eta),
  };
}

export function createInstallProgress(options: InstallProgressOptions = {}): InstallProgress {
  const stream = options.stream ?? process.stderr;
  const useBars = options.bars ?? stream.isTTY === true;
  const jobs = new Map<string, Job>();
  return useBars ? barView(stream, jobs) : lineView(stream, jobs);
}

function barView(stream: NodeJS.WriteStream, jobs: Map<string, Job>): InstallProgress {
  let multi: cliProgress.MultiBar | undefined;
  let bars = new Map<string, Bar>();
  let totalBar: Bar | undefined;

  const start = (): cliProgress.MultiBar => {
    multi ??= new cliProgress.MultiBar(
      { stream, format: BAR_FORMAT, hideCursor: true, clearOnComplete: false, fps: 5, barsize: 24 },
      cliProgress.Presets.shades_classic,
    );
    return multi;
  };
  const downloads = (): Job[] => [...jobs.values()].filter((j) => j.total !== undefined && j.linkKind === undefined);
  const redrawTotal = (): void => {
    const list = downloads();
    if (list.length < 2 && totalBar === undefined) return;
    const total = list.reduce((n, j) => n + (j.total ?? 0), 0);
    const done = list.reduce(
      (n, j) => n + (TERMINAL_JOB_STATES.has(j.state) && j.state !== 'failed' ? (j.total ?? j.bytes) : j.bytes),
      0,
    );
    const speed = list.reduce((n, j) => n + (TERMINAL_JOB_STATES.has(j.state) ? 0 : j.speed), 0);
    const eta = speed > 0 ? (total - done) / speed : undefined;
    const payload = payloadOf('total', done, total, speed, eta);
    if (!totalBar) totalBar = start().create(Math.max(total, 1), done, payload);
    else {
      totalBar.setTotal(Math.max(total, 1));
      totalBar.update(done, payload);
    }
  };

  return {
    update(job) {
      jobs.set(job.id, job);
      const downloading = job.state === 'downloading' || job.state === 'verifying';
      if (TERMINAL_JOB_STATES.has(job.state) || !downloading || job.total === undefined) {
        const bar = bars.get(job.id);
        if (bar && TERMINAL_JOB_STATES.has(job.state)) {
          bar.update(
            job.state === 'complete' ? (job.total ?? job.bytes) : job.bytes,
            payloadOf(job.filename, job.bytes, job.total ?? job.bytes, 0),
          );
          bar.stop();
        }
        if (TERMINAL_JOB_STATES.has(job.state)) {
          const line = `${jobStatusLabel(job.state).padEnd(11)} ${terminalText(job.targetPath)}${detailOf(job)}\n`;
          if (multi) multi.log(line);
          else stream.write(line);
        }
        redrawTotal();
        return;
      }
      const payload = payloadOf(job.filename, job.bytes, job.total, job.speed, job.eta);
      const bar = bars.get(job.id);
      if (bar) bar.update(job.bytes, payload);
      else bars.set(job.id, start().create(job.total, job.bytes, payload));
      redrawTotal();
    },
    pause() {
      multi?.stop();
      multi = undefined;
      bars = new Map();
      totalBar = undefined;
    },
    resume() {
      for (const job of jobs.values()) if (!TERMINAL_JOB_STATES.has(job.state)) this.update(job);
    },
    stop() {
      multi?.stop();
      multi = undefined;
    },
  };
}

function lineView(stream: NodeJS.WriteStream, jobs: Map<string, Job>): InstallProgress {
  // Plain lines for logs and pipes: a line per state change, and one per quarter of a download.
  const lastQuarter = new Map<string, number>();
  return {
    update(job) {
      const before = jobs.get(job.id);
      jobs.set(job.id, job);
      const quarter = job.total ? Math.floor((job.bytes / job.total) * 4) : 0;
      const stateChanged = before?.state !== job.state;
      if (!stateChanged && !(job.state === 'downloading' && quarter > (lastQuarter.get(job.id) ?? 0))) return;
      lastQuarter.set(job.id, quarter);
      const amount =
        job.state === 'downloading' && job.total ? ` ${formatBytes(job.bytes)}/${formatBytes(job.total)}` : '';
      stream.write(
        `${jobStatusLabel(job.state).padEnd(11)} ${terminalText(job.targetPath)}${amount}${detailOf(job)}\n`,
      );
    },
    pause() {},
    resume() {},
    stop() {},
  };
}

function detailOf(job: Job): string {
  if (job.state === 'linked' && job.linkKind)
    return ` (${job.linkKind === 'copy' ? 'copied: links not allowed here' : job.linkKind})`;
  if (job.state === 'complete' && job.total !== undefined) return ` (${formatBytes(job.total)})`;
  if (job.state === 'waiting-for-token') return ' (waiting for a token)';
  if (job.error) return `: ${terminalText(job.error.message)}`;
  return '';
}
