// Worker thread of RingHasher: the SHA-256 of one download, fed from the shared ring the bytes pass through on their
// way to the file. Plain JavaScript on purpose: it must load under tsx, vitest and the esbuild bundle (build.mjs copies
// it next to the bundle), none of which would hand a worker a TypeScript loader.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';

const ring = Buffer.from(workerData.ring);
let hash = createHash('sha256');
// One message at a time, in the order sent: hashing a file prefix awaits reads, updates must not overtake it.
let queue = Promise.resolve();

parentPort.on('message', (message) => {
  queue = queue
    .then(() => answer(message))
    .then(
      (sha256) => parentPort.postMessage({ type: 'done', id: message.id, ...(sha256 ? { sha256 } : {}) }),
      (error) =>
        parentPort.postMessage({
          type: 'error',
          id: message.id,
          code: typeof error?.code === 'string' ? error.code : undefined,
          message: String(error?.message ?? error),
        }),
    );
});

async function answer(message) {
  switch (message.type) {
    case 'update':
      hash.update(ring.subarray(message.offset, message.offset + message.length));
      return undefined;
    case 'file':
      await hashFilePrefix(message.path, message.bytes);
      return undefined;
    case 'range':
      await hashFileRange(message.path, message.start, message.end);
      return undefined;
    case 'reset':
      hash = createHash('sha256');
      return undefined;
    case 'digest':
      // A copy, so the running hash stays usable (a verify can be followed by more bytes in a test or a retry).
      return hash.copy().digest('hex');
    default:
      throw new Error(`unknown message type ${String(message.type)}`);
  }
}

async function hashFilePrefix(path, bytes) {
  await hashFileRange(path, 0, bytes);
}

// A segmented download's bytes, in file order, just after they were written: still in the page cache, so this is a
// copy from memory rather than a second read from the disk. One buffer, reused: hashing gigabytes leaves no garbage.
const rangeBuffer = Buffer.allocUnsafeSlow(1024 * 1024);

async function hashFileRange(path, start, end) {
  if (end <= start) return;
  const handle = await open(path, 'r');
  try {
    for (let at = start; at < end; ) {
      const { bytesRead } = await handle.read(rangeBuffer, 0, Math.min(rangeBuffer.length, end - at), at);
      if (bytesRead === 0)
        throw Object.assign(new Error(`the partial file is shorter than ${end} bytes`), { code: 'FILE_CHANGED' });
      hash.update(rangeBuffer.subarray(0, bytesRead));
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
}
