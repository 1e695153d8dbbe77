// Worker thread of HashPool. Plain JavaScript on purpose: it must load under tsx, vitest and the esbuild bundle
// (build.mjs copies this file next to the bundle), none of which would hand a worker a TypeScript loader.
// It only reads and digests; hash-unchanged-file.ts in the parent stats before/after and maps errors.
import { parentPort } from 'node:worker_threads';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';

const cancelled = new Set();

parentPort.on('message', (message) => {
  if (message.type === 'cancel') {
    cancelled.add(message.id);
    return;
  }
  if (message.type === 'hash') {
    digest(message).then(
      (result) => parentPort.postMessage({ type: 'done', id: message.id, ...result }),
      (error) =>
        parentPort.postMessage({
          type: 'error',
          id: message.id,
          code: typeof error?.code === 'string' ? error.code : undefined,
          message: String(error?.message ?? error),
        }),
    );
  }
});

async function digest({ id, path, chunkSize }) {
  const handle = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(chunkSize);
    let bytes = 0;
    for (;;) {
      if (cancelled.delete(id)) throw Object.assign(new Error('cancelled'), { code: 'CANCELLED' });
      const { bytesRead } = await handle.read(buffer, 0, chunkSize, bytes);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      bytes += bytesRead;
      parentPort.postMessage({ type: 'progress', id, bytes });
    }
    return { sha256: hash.digest('hex'), bytes };
  } finally {
    cancelled.delete(id);
    await handle.close();
  }
}
