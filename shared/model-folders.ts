/**
 * ComfyUI's model folder names and model file extensions, as ComfyUI's folder_paths.py defines them.
 */
export const MODEL_FOLDERS = [
  'checkpoints',
  'configs',
  'loras',
  'vae',
  'text_encoders',
  'diffusion_models',
  'clip_vision',
  'style_models',
  'embeddings',
  'diffusers',
  'vae_approx',
  'controlnet',
  'gligen',
  'upscale_models',
  'latent_upscale_models',
  'hypernetworks',
  'photomaker',
  'classifiers',
  'model_patches',
  'audio_encoders',
] as const;

export type ModelFolder = (typeof MODEL_FOLDERS)[number];

/** Older folder names that ComfyUI still reads, mapped to the canonical folder. */
export const LEGACY_FOLDER_ALIASES: Readonly<Record<string, ModelFolder>> = {
  unet: 'diffusion_models',
  clip: 'text_encoders',
  t2i_adapter: 'controlnet',
  lora: 'loras',
  checkpoint: 'checkpoints',
  ckpt: 'checkpoints',
};

/** Intentionally a closed list: anything else (archives, scripts, images) is never downloaded or registered. */
export const MODEL_EXTENSIONS = [
  '.safetensors',
  '.sft',
  '.ckpt',
  '.pt',
  '.pt2',
  '.pth',
  '.bin',
  '.gguf',
  '.onnx',
] as const;

/** The canonical folder for a name such as `unet` or `checkpoints`, or undefined when it is not a model folder. */
export function canonicalFolder(name: string): ModelFolder | undefined {
  const lower = name.toLowerCase();
  const folder = MODEL_FOLDERS.find((known) => known === lower);
  if (folder !== undefined) return folder;
  // hasOwn: a category named `constructor` or `__proto__` must not reach Object.prototype.
  return Object.hasOwn(LEGACY_FOLDER_ALIASES, lower) ? LEGACY_FOLDER_ALIASES[lower] : undefined;
}

export function hasModelExtension(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  return MODEL_EXTENSIONS.some((ext) => lower.endsWith(ext));
}
