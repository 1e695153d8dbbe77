import { z } from 'zod';

/** Messages a hash worker thread (sidecar/disk/hash-worker.mjs) posts to its pool. */
export const zHashWorkerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), id: z.number(), bytes: z.number() }),
  z.object({ type: z.literal('done'), id: z.number(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number() }),
  z.object({ type: z.literal('error'), id: z.number(), code: z.string().optional(), message: z.string() }),
]);

export type HashWorkerMessage = z.infer<typeof zHashWorkerMessage>;
