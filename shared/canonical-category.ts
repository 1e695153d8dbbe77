import { modelFolderPath } from './model-folder-path';

/**
 * The category a workflow's single folder name stands for: ComfyUI's canonical name for known and legacy folders
 * (`unet` -> `diffusion_models`, `clip` -> `text_encoders`), the name itself for other safe folder names
 * (`ipadapter`, `insightface`), and undefined for a folder with subfolders or anything that is not a safe name.
 */
export function canonicalCategory(name: string): string | undefined {
  const folder = modelFolderPath(name.trim());
  return 'problem' in folder || folder.subfolders.length > 0 ? undefined : folder.category;
}
