import { z } from 'zod';
import { zSha256 } from './registry-schema';

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
  /** Bytes known written when the state was saved (informative; the `.part` size is what counts). */
  bytes: z.number().int().nonnegative(),
  updatedAt: z.string(),
});
export type ResumeState = z.infer<typeof zResumeState>;
