/**
 * The download body path alone, with nothing written: 2 GiB from the fake hub's CDN (another process, loopback)
 * read by requestDownload (undici's dispatch) into a ring that keeps nothing, against `curl -s -o /dev/null` on the
 * same URL in the same run (bar: >= 0.8x of curl). The hand-written socketFetch reading into the same ring is
 * measured too, as the figure undici has to be compared with before the sidecar moves onto it. Each side runs twice,
 * interleaved; the better run of each counts. CPU seconds per GiB of this process are printed for both Node sides.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { createHttpAgent } from '../../sidecar/remote/http/create-http-agent';
import { requestDownload } from '../../sidecar/remote/http/request-download';
import type { RingTarget } from '../../sidecar/remote/ring/ring-target';
import { HttpResponseReader } from '../../sidecar/remote/socket-http/http-response-reader';
import { socketFetch } from '../../sidecar/remote/socket-http/socket-fetch';
import { GiB, MiB, startBenchHub } from './download-bench-hub';

const SIZE = 2 * GiB;
const loadBefore = os.loadavg()[0];

/** /dev/null as a RingTarget: every byte is copied into one of four 1 MiB slots, as into the real ring, then forgotten. */
class NullRing implements RingTarget {
  readonly failure = undefined;
  received = 0;
  readonly #slots = Array.from({ length: 4 }, () => Buffer.allocUnsafeSlow(MiB));
  #current = 0;
  #fill = 0;

  freeRegion(max: number): Buffer | undefined {
    return this.#slots[this.#current].subarray(this.#fill, Math.min(MiB, this.#fill + max));
  }

  commit(length: number): void {
    this.received += length;
    this.#fill += length;
    if (this.#fill === MiB) {
      this.#current = (this.#current + 1) % this.#slots.length;
      this.#fill = 0;
    }
  }

  async whenFree(): Promise<void> {}
}

const hub = await startBenchHub({ 'two.safetensors': SIZE });
const agent = createHttpAgent({ connectTimeoutMs: 10_000, headersTimeoutMs: 30_000, bodyTimeoutMs: 30_000, env: {} });

/** The CDN URL the resolve URL redirects to: every side then fetches the same bytes from the same server. */
async function cdnUrl(): Promise<string> {
  const answer = await requestDownload({ url: hub.resolveUrl('two.safetensors'), method: 'HEAD', agent });
  const location = answer.headers.get('location');
  if (location === null) throw new Error(`the hub answered ${answer.status} without a Location`);
  return new URL(location, hub.resolveUrl('two.safetensors')).href;
}

async function timeCurl(url: string): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('curl', ['-s', '-o', '/dev/null', url], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`curl exited with ${code}`))));
  });
  return (performance.now() - started) / 1000;
}

interface NodeRun {
  seconds: number;
  cpu: number;
}

async function timeNode(read: (ring: NullRing) => Promise<void>): Promise<NodeRun> {
  const ring = new NullRing();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await read(ring);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  if (ring.received !== SIZE) throw new Error(`received ${ring.received} bytes, expected ${SIZE}`);
  return { seconds, cpu: (cpu.user + cpu.system) / 1e6 };
}

const viaUndici = (url: string) => async (ring: NullRing) => {
  const answer = await requestDownload({ url, agent });
  await answer.readInto(ring, { expectedBytes: SIZE });
};

const viaSocketFetch = (url: string) => async (ring: NullRing) => {
  const response = await socketFetch(url);
  if (!(response.body instanceof HttpResponseReader)) throw new Error('socketFetch gave no HttpResponseReader');
  await response.body.readInto(ring);
};

try {
  const url = await cdnUrl();
  const curl: number[] = [];
  const undici: NodeRun[] = [];
  const socket: NodeRun[] = [];
  // Warm-up: the hub's generator and the JIT, untimed.
  await timeCurl(url);
  await timeNode(viaUndici(url));
  for (let round = 0; round < Number(process.env.ROUNDS ?? 2); round++) {
    curl.push(await timeCurl(url));
    undici.push(await timeNode(viaUndici(url)));
    socket.push(await timeNode(viaSocketFetch(url)));
  }
  const best = (runs: NodeRun[]): NodeRun => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const curlRate = SIZE / Math.min(...curl);
  const mb = (rate: number): string => `${(rate / 1e6).toFixed(0)} MB/s`;
  for (const [name, runs] of [
    ['requestDownload (undici)', undici],
    ['socketFetch (hand-written)', socket],
  ] as const) {
    const run = best(runs);
    const rate = SIZE / run.seconds;
    process.stdout.write(
      `${name} 2 GiB into a null ring ${(rate / curlRate).toFixed(2)}x of curl -o /dev/null (${mb(rate)} vs ` +
        `${mb(curlRate)}; bar >= 0.8x; ${(run.cpu / (SIZE / GiB)).toFixed(2)} CPU-s/GiB; load avg ${loadBefore.toFixed(2)} before)\n`,
    );
  }
  if (process.env.VERBOSE) {
    const list = (runs: number[]): string => runs.map((s) => s.toFixed(2)).join(',');
    process.stderr.write(
      `curl s ${list(curl)}; undici s ${list(undici.map((r) => r.seconds))}; socketFetch s ${list(socket.map((r) => r.seconds))}\n`,
    );
  }
} finally {
  await agent.close();
  await hub.stop();
}
