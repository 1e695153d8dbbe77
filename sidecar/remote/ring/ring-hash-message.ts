import { z } from 'zod';
import { zSha256 } from '../../registry/registry-schema';

/** Answers the download's hash worker (sidecar/remote/ring-hash-worker.mjs) posts to its RingHasher. */
export const zRingHashAnswer = z.discriminatedUnion('type', [
  z.object({ type: z.literal('done'), id: z.number(), sha256: zSha256.optional() }),
  z.object({ type: z.literal('error'), id: z.number(), code: z.string().optional(), message: z.string() }),
]);

export type RingHashAnswer = z.infer<typeof zRingHashAnswer>;
