import { z } from 'zod';

/**
 * One model a workflow needs, merged from a workflow's three sources:
 * its `dependencies` section, ComfyUI's `models` lists, and loader widget values.
 */
export const zRequirementOrigin = z.enum(['dependencies', 'models', 'widget']);

export const zSha256 = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 hexadecimal characters'));

export const zRequirement = z.object({
  /** ComfyUI folder name, canonical (`diffusion_models`, not `unet`). */
  category: z.string().min(1),
  /** File name inside the category folder; may contain `/` for subfolders. */
  filename: z.string().min(1),
  sha256: zSha256.optional(),
  size: z.number().int().nonnegative().optional(),
  /** Where to get it, in the workflow's own terms (real hosts; endpoints are rewritten when fetching). */
  urls: z.array(z.string()).default([]),
  displayName: z.string().optional(),
  required: z.boolean().default(true),
  requiresAuth: z.boolean().optional(),
  origin: zRequirementOrigin,
});

export type Requirement = z.infer<typeof zRequirement>;
export type RequirementInput = z.input<typeof zRequirement>;

/** An entry of a workflow that could not be understood, reported beside the valid ones. */
export const zInvalidEntry = z.object({
  /** Where in the workflow, e.g. `nodes[3].properties.models[0]`. */
  path: z.string(),
  message: z.string(),
});
export type InvalidEntry = z.infer<typeof zInvalidEntry>;
