import { z } from 'zod';
import { zSha256 } from '../../registry/registry-schema';
import { zSegment } from '../segmented/segment-state';

/**
 * The JSON kept beside a partial download (`<models>/.cache/tmp/<key>.part.json`) so that a later process can
 * continue it. It never holds a credential: the URL is the original one without user info, tokens or signatures.
 */
export const zResumeState = z.object({
  /**
   * 1: one connection, `bytes` is the whole story. 2: `segments` too; a version that only knows 1 refuses the state
   * and starts over, rather than trusting a file whose later segments have holes.
   */
  version: z.union([z.literal(1), z.literal(2)]),
  /** The original (pre-redirect) URL, stripped of credentials and signed query parameters. */
  url: z.string(),
  expectedSha256: zSha256.optional(),
  expectedSize: z.number().int().nonnegative().optional(),
  /** The file's size as the server announced it (Content-Range total or Content-Length). */
  total: z.number().int().nonnegative().optional(),
  /** Validator of the final hop, sent back as If-Range so a changed source answers 200 instead of mixing. */
  etag: z.string().optional(),
  lastModified: z.string().optional(),
  /**
   * Bytes written and hashed, in order, when the state was saved. The `.part` may hold more (writes run in parallel
   * and can finish out of order): a resume keeps only this prefix.
   */
  bytes: z.number().int().nonnegative(),
  /** A download over several connections: each range of the file and how much of it is written. */
  segments: z.array(zSegment).optional(),
  updatedAt: z.string(),
});
export type ResumeState = z.infer<typeof zResumeState>;
