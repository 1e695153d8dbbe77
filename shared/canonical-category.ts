import { canonicalFolder } from './model-folders';

/**
 * A plain folder name: ComfyUI's own plus the folders custom nodes add (`ipadapter`, `insightface`...).
 * Starting with a letter or digit keeps out `.`, `..`, `__proto__` and hidden folders such as `.registry`.
 */
const FOLDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * The category a workflow's folder name stands for: ComfyUI's canonical name for known and legacy folders
 * (`unet` -> `diffusion_models`, `clip` -> `text_encoders`), the name itself for other plain folder names, and
 * undefined for anything that is not a folder name.
 */
export function canonicalCategory(name: string): string | undefined {
  const trimmed = name.trim();
  if (!FOLDER_NAME.test(trimmed)) return undefined;
  // canonicalFolder indexes a plain object: `constructor` would come back as Object itself, so check the type.
  const known: unknown = canonicalFolder(trimmed);
  return typeof known === 'string' ? known : trimmed;
}
