// A measured prototype, not product code and not run by `npm run bench` (which runs *.bench.ts): the body of a plain
// HTTP download read straight into the shared ring with net's `onread` (no allocation and no copy per chunk), then the
// same direct writes and hash worker as sidecar/remote/ring-file-writer.ts. Measured on the 2-core target against the
// fake hub (second session): 2 GiB in 1.46-2.11 s against curl -o's 1.70-1.97 s, with 1.8 CPU-s instead of 5-6, the
// same with proper-lockfile loaded. Missing before it could serve: chunked bodies, TLS, the limiter, stall/abort,
// errors, a FetchLike-shaped answer. Usage (a fake hub from test/fake-hub/serve-fake-hub.ts serving a 2 GiB file):
//   node test/bench/experiments/onread-ring-download.mjs <resolve URL> <output file>   [PL=1 loads proper-lockfile]
import net from 'node:net';
import http from 'node:http';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
if (process.env.PL) { const { createRequire } = await import('node:module'); const r = createRequire(new URL('../../../package.json', import.meta.url)); r('proper-lockfile'); }
const [url, out] = process.argv.slice(2);
const SLOT = 2 << 20, SLOTS = 4, RING = SLOT * SLOTS;
const mem = new WebAssembly.Memory({ initial: RING / 65536, maximum: RING / 65536, shared: true });
const ring = Buffer.from(mem.buffer);
const HASH_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const mem = Buffer.from(workerData.buffer);
const hash = createHash('sha256');
parentPort.on('message', (m) => {
  if (m.digest) return parentPort.postMessage({ digest: hash.digest('hex') });
  hash.update(mem.subarray(m.offset, m.offset + m.length));
  parentPort.postMessage({ slot: m.slot });
});`;
const worker = new Worker(HASH_WORKER, { eval: true, workerData: { buffer: mem.buffer } });
const t0 = performance.now(); const c0 = process.cpuUsage();
const loc = await new Promise((res) => http.get(url, (r) => { r.resume(); res(r.headers.location); }));
const target = new URL(loc, url);
const fd = fs.openSync(out, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_DIRECT);
const slots = Array.from({ length: SLOTS }, (_, i) => ring.subarray(i * SLOT, (i + 1) * SLOT));
const busy = new Array(SLOTS).fill(undefined);
let cur = 0, fill = 0, pos = 0, confirmed = Promise.resolve(), total = -1, body = 0;
let header = Buffer.alloc(0), inHeader = true;
const hdrBuf = Buffer.alloc(65536);
function handOver(len) {
  const i = cur, at = pos; const wl = Math.ceil(len / 4096) * 4096;
  const written = new Promise((res, rej) => fs.write(fd, slots[i], 0, wl, at, (e) => (e ? rej(e) : res())));
  const prev = confirmed;
  const c = Promise.all([prev, written]).then(() => new Promise((res) => { const h = (m) => { if (m.slot === i) { worker.off('message', h); res(); } }; worker.on('message', h); worker.postMessage({ slot: i, offset: i * SLOT, length: len }); }));
  confirmed = c; const s = c.then(() => { if (busy[i] === s) busy[i] = undefined; }); busy[i] = s;
  pos += len; cur = (i + 1) % SLOTS; fill = 0;
}
let sock; let waiting = null;
await new Promise((resolve, reject) => {
  sock = net.connect({ host: target.hostname, port: Number(target.port), onread: {
    buffer: () => inHeader ? hdrBuf : slots[cur].subarray(fill),
    callback: (n, buf) => {
      if (inHeader) {
        header = Buffer.concat([header, buf.subarray(0, n)]);
        const end = header.indexOf('\r\n\r\n');
        if (end < 0) return true;
        const head = header.subarray(0, end).toString('latin1');
        total = Number(/content-length:\s*(\d+)/i.exec(head)[1]);
        inHeader = false;
        const rest = header.subarray(end + 4);
        rest.copy(slots[cur], 0); fill = rest.length; body = rest.length;
      } else { fill += n; body += n; }
      if (fill === SLOT || body === total) { handOver(fill); }
      if (body === total) { sock.end(); resolve(); return false; }
      if (busy[cur]) { sock.pause(); busy[cur].then(() => sock.resume()); }
      return true;
    } } }, () => sock.write(`GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`));
  sock.on('error', reject);
});
await confirmed; fs.ftruncateSync(fd, total);
const sha = await new Promise((res) => { worker.on('message', (m) => m.digest && res(m.digest)); worker.postMessage({ digest: true }); });
fs.fsyncSync(fd);
const dt = (performance.now() - t0) / 1000; const cpu = process.cpuUsage(c0);
console.log('onread', process.env.PL ? 'PL' : '', (total / dt / 1e6).toFixed(0), 'MB/s', dt.toFixed(2), 's user', (cpu.user / 1e6).toFixed(2), 'sys', (cpu.system / 1e6).toFixed(2), sha.slice(0, 8));
await worker.terminate();
