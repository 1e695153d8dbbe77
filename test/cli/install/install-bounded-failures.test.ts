import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test as base } from 'vitest';

const BIN = fileURLToPath(new URL('../../../bin/model-depot.cjs', import.meta.url));
const SIZE = 1024 * 1024;
const SHA256 = 'ab'.repeat(32);
/** HF_HUB_DOWNLOAD_TIMEOUT and HF_HUB_ETAG_TIMEOUT for every case, in seconds. */
const TIMEOUT_S = 1;
/** What a run of the CLI costs beyond its timeouts on a loaded 2-core machine (start-up through tsx, the check). */
const START_MS = 4000;
const PEAK_RSS_MB = 200;

interface MeasuredRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  /** The child's peak resident set (VmHWM), from /usr/bin/time -v. */
  peakRssMb: number;
}

const test = base.extend<{ dir: string }>({
  dir: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'model-depot-bounded-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
});

/** `model-depot install --yes` under /usr/bin/time -v, with the short timeouts and `env` on a bare environment. */
async function install(dir: string, workflow: unknown, env: Record<string, string>): Promise<MeasuredRun> {
  const file = path.join(dir, 'workflow.json');
  await writeFile(file, JSON.stringify(workflow));
  const timeReport = path.join(dir, 'time.txt');
  const args = ['-v', '-o', timeReport, process.execPath, BIN, '--models', path.join(dir, 'models')];
  const child = spawn('/usr/bin/time', [...args, 'install', file, '--yes'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      MODEL_DEPOT_CONFIG: path.join(dir, 'config.json'),
      HF_HUB_CACHE: path.join(dir, 'hf'),
      HF_HUB_DOWNLOAD_TIMEOUT: String(TIMEOUT_S),
      HF_HUB_ETAG_TIMEOUT: String(TIMEOUT_S),
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => {
    stdout += data.toString();
  });
  child.stderr.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  const started = performance.now();
  const code = await new Promise<number>((resolve) => child.on('close', (exit) => resolve(exit ?? 1)));
  const ms = performance.now() - started;
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(await readFile(timeReport, 'utf8'));
  return { code, stdout, stderr, ms, peakRssMb: Number(kb?.[1] ?? Number.NaN) / 1024 };
}

function hfWorkflow() {
  return {
    dependencies: {
      checkpoints: [
        {
          filename: 'model.safetensors',
          sha256: SHA256,
          size: SIZE,
          urls: [`https://huggingface.co/org/repo/resolve/main/model.safetensors`],
        },
      ],
    },
  };
}

/** The lines of the whole output that report a failure (the progress view's other state lines aside). */
function failureLines(run: MeasuredRun): string[] {
  return `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => /Failed\s+checkpoints|model-depot:/.test(line));
}

/** Nothing under the final name, and no partial larger than the model under .cache/tmp. */
async function expectNothingKept(dir: string): Promise<void> {
  const models = path.join(dir, 'models');
  await expect(readdir(path.join(models, 'checkpoints')).catch(() => [])).resolves.toEqual([]);
  const tmp = await readdir(path.join(models, '.cache', 'tmp')).catch(() => []);
  expect(tmp.filter((name) => name.endsWith('.part'))).toEqual([]);
}

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return `http://127.0.0.1:${address.port}`;
}

async function close(server: net.Server): Promise<void> {
  if (server instanceof http.Server) server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function report(name: string, run: MeasuredRun): void {
  console.info(
    `${name}: exit ${run.code} after ${(run.ms / 1000).toFixed(2)} s, peak RSS ${run.peakRssMb.toFixed(0)} MB`,
  );
}

describe('model-depot install against hosts that misbehave', () => {
  test('gives up on a silent host (accepts, never answers) within the download timeout, saying so once', async ({
    dir,
  }) => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    const origin = await listen(silent);
    try {
      const run = await install(dir, hfWorkflow(), { HF_ENDPOINT: origin });
      report('silent host', run);
      expect(run.code).toBe(1);
      // Two tries (one retry for a host that never answered), a one-second pause between them.
      expect(run.ms).toBeLessThan(2 * TIMEOUT_S * 1000 + 1500 + START_MS);
      const lines = failureLines(run);
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`${new URL(origin).host} has not answered for 1 s \\(response timeout\\)`));
      expect(run.stderr).toContain(lines[0]);
      expect(run.peakRssMb).toBeLessThan(PEAK_RSS_MB);
      await expectNothingKept(dir);
    } finally {
      for (const socket of sockets) socket.destroy();
      await close(silent);
    }
  });

  test('takes the download timeout from the config file when HF_HUB_DOWNLOAD_TIMEOUT is not set', async ({ dir }) => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    const origin = await listen(silent);
    try {
      await writeFile(path.join(dir, 'config.json'), JSON.stringify({ download_timeout_seconds: 1 }));
      const run = await install(dir, hfWorkflow(), { HF_ENDPOINT: origin, HF_HUB_DOWNLOAD_TIMEOUT: '' });
      report('silent host, timeout from the config', run);
      expect(run.code).toBe(1);
      expect(run.ms).toBeLessThan(2 * TIMEOUT_S * 1000 + 1500 + START_MS);
      expect(failureLines(run)).toEqual([expect.stringContaining('has not answered for 1 s (response timeout)')]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await close(silent);
    }
  });

  test('stops an endless metadata answer and an endless download body of the same host at the model size', async ({
    dir,
  }) => {
    const chunk = Buffer.alloc(64 * 1024, 0x7b);
    // Every answer is an endless chunked body: the Civitai API's JSON and the download alike.
    const endless = http.createServer((request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      const pump = (): void => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', pump);
      };
      request.socket.on('error', () => undefined);
      pump();
    });
    const origin = await listen(endless);
    try {
      const run = await install(
        dir,
        {
          dependencies: {
            checkpoints: [
              { filename: 'model.safetensors', size: SIZE, urls: ['https://civitai.com/api/download/models/123'] },
            ],
          },
        },
        { CIVITAI_ENDPOINT: origin },
      );
      report('endless metadata and download', run);
      expect(run.code).toBe(1);
      expect(run.ms).toBeLessThan(2 * TIMEOUT_S * 1000 + START_MS);
      const lines = failureLines(run);
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toContain(`${new URL(origin).host} kept sending past the ${SIZE} bytes`);
      expect(run.stderr).toContain(lines[0]);
      expect(run.peakRssMb).toBeLessThan(PEAK_RSS_MB);
      await expectNothingKept(dir);
    } finally {
      await close(endless);
    }
  });

  test('stops an endless close-delimited download body of a 1 MiB model at 1 MiB and keeps nothing', async ({
    dir,
  }) => {
    const chunk = Buffer.alloc(64 * 1024, 0x5a);
    // HTTP/1.0 style: no Content-Length, no chunking; the body would end when the connection does.
    const endless = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n');
        const pump = (): void => {
          while (!socket.destroyed && socket.write(chunk));
          if (!socket.destroyed) socket.once('drain', pump);
        };
        pump();
      });
    });
    const origin = await listen(endless);
    try {
      const run = await install(dir, hfWorkflow(), { HF_ENDPOINT: origin });
      report('endless download body', run);
      expect(run.code).toBe(1);
      expect(run.ms).toBeLessThan(TIMEOUT_S * 1000 + START_MS);
      const lines = failureLines(run);
      expect(lines, run.stderr).toHaveLength(1);
      expect(lines[0]).toContain(`${new URL(origin).host} kept sending past the ${SIZE} bytes`);
      expect(run.stderr).toContain(lines[0]);
      expect(run.peakRssMb).toBeLessThan(PEAK_RSS_MB);
      await expectNothingKept(dir);
    } finally {
      await close(endless);
    }
  });

  test('names a host that does not resolve in one line after at most one retry, in under 5 s', async ({ dir }) => {
    const run = await install(dir, hfWorkflow(), {
      HF_ENDPOINT: 'https://no-such-host.invalid',
    });
    report('unresolvable host', run);
    expect(run.code).toBe(1);
    expect(run.ms).toBeLessThan(5000);
    const lines = failureLines(run);
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toContain('cannot resolve no-such-host.invalid');
    expect(run.stderr).toContain(lines[0]);
    expect(run.peakRssMb).toBeLessThan(PEAK_RSS_MB);
    await expectNothingKept(dir);
  });
});
