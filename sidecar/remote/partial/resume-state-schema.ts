import { z } from 'zod';
import { zSha256 } from '../../registry/registry-schema';

/**
 * The JSON kept beside a partial download (`<models>/.cache/tmp/<key>.part.json`) so that a later process can
 * continue it. It never holds a credential: the URL is the original one without user info, tokens or signatures.
 */
export const zResumeState = z.object({
  version: z.literal(1),
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
  updatedAt: z.string(),
});
export type ResumeState = z.infer<typeof zResumeState>;
