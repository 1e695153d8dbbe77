import { z } from 'zod';

/**
 * ComfyUI's `extra_model_paths.yaml`: sections (`comfyui:`, `a111:`...) of `folder: path` entries, where a path
 * may be a `|` block of several lines, plus `base_path` and `is_default`. Empty sections parse as null.
 */
export const zExtraModelPaths = z
  .record(z.string(), z.record(z.string(), z.union([z.string(), z.boolean(), z.number(), z.null()])).nullable())
  .nullable();

export type ExtraModelPaths = z.infer<typeof zExtraModelPaths>;
