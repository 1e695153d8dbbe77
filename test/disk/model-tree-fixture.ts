import { createHash } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

export async function put(path: string, content: string | Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

export const sha256Of = (content: string | Buffer) => createHash('sha256').update(content).digest('hex');

/** Puts `content` in a HuggingFace cache the way huggingface_hub lays it out; returns the snapshot path. */
export async function putHfCacheFile(
  cache: string,
  repo: string,
  file: string,
  content: string | Buffer,
): Promise<string> {
  const repoDir = join(cache, `models--${repo.replace('/', '--')}`);
  const blob = join(repoDir, 'blobs', sha256Of(content));
  await put(blob, content);
  await put(join(repoDir, 'refs', 'main'), 'c0ffee');
  const link = join(repoDir, 'snapshots', 'c0ffee', file);
  await mkdir(dirname(link), { recursive: true });
  await symlink(relative(dirname(link), blob), link);
  return link;
}

export interface ModelTree {
  modelsRoot: string;
  hubDir: string;
  hfCacheDir: string;
  /** Model A under two names in checkpoints, model B in the hub, model C in the HF cache, model D under a unicode name. */
  shas: { a: string; b: string; c: string; d: string };
}

/**
 * The issue 2 tree: the same model under two names, a hub directory, a HuggingFace cache, plus names with spaces,
 * unicode and a newline, a broken symlink and a symlink loop. 4 models, 2 aliases (a's second name and its symlink).
 */
export async function makeModelTree(dir: string): Promise<ModelTree> {
  const modelsRoot = join(dir, 'models');
  const hubDir = join(dir, 'hub');
  const hfCacheDir = join(dir, 'hf-cache');
  const a = Buffer.alloc(300_000, 'a');
  const b = Buffer.alloc(200_000, 'b');
  const c = Buffer.alloc(100_000, 'c');
  const d = Buffer.alloc(50_000, 'd');
  await put(join(modelsRoot, 'checkpoints', 'sd_xl_base_1.0.safetensors'), a);
  await put(join(modelsRoot, 'checkpoints', 'old names', 'sdxl-base-v1.safetensors'), a);
  await symlink('sd_xl_base_1.0.safetensors', join(modelsRoot, 'checkpoints', 'sdxl link.safetensors'));
  await put(join(modelsRoot, 'loras', 'détail ✓\nnewline.safetensors'), d);
  await symlink('nowhere.safetensors', join(modelsRoot, 'loras', 'broken.safetensors'));
  await symlink('..', join(modelsRoot, 'loras', 'loop'));
  await put(join(hubDir, 'flux', 'vae', 'ae.safetensors'), b);
  await putHfCacheFile(hfCacheDir, 'org/text-encoder', 'split_files/text_encoders/t5.safetensors', c);
  return { modelsRoot, hubDir, hfCacheDir, shas: { a: sha256Of(a), b: sha256Of(b), c: sha256Of(c), d: sha256Of(d) } };
}
