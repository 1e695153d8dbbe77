import { z } from 'zod';
import { zSha256 } from '../../registry/registry-schema';

/** Messages a hash worker thread (sidecar/disk/hash-worker.mjs) posts to its pool. */
export const zHashWorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), id: z.number(), bytes: z.number() }),
  z.object({ type: z.literal('done'), id: z.number(), sha256: zSha256, bytes: z.number() }),
  z.object({ type: z.literal('error'), id: z.number(), code: z.string().optional(), message: z.string() }),
]);

export type HashWorkerMessage = z.infer<typeof zHashWorkerMessage>;
