import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** A definition file's content: an object is written as JSON, a string as it is (for malformed files). */
export type DefinitionText = object | string;

export interface WanGpInstallLayout {
  /** Files of `defaults/`, by id (the file name without `.json`). */
  defaults?: Record<string, DefinitionText>;
  /** Files of `finetunes/`, by id; left out, the folder is not created. */
  finetunes?: Record<string, DefinitionText>;
}

/** Writes a WanGP folder (defaults/, finetunes/, ckpts/) into `root` and returns `root`. */
export async function writeWanGpInstall(
  root: string,
  { defaults = {}, finetunes }: WanGpInstallLayout,
): Promise<string> {
  await mkdir(path.join(root, 'ckpts'), { recursive: true });
  await writeFolder(path.join(root, 'defaults'), defaults);
  if (finetunes !== undefined) await writeFolder(path.join(root, 'finetunes'), finetunes);
  return root;
}

async function writeFolder(folder: string, files: Record<string, DefinitionText>): Promise<void> {
  await mkdir(folder, { recursive: true });
  for (const [id, content] of Object.entries(files)) {
    const text = typeof content === 'string' ? content : JSON.stringify(content, null, 4);
    await writeFile(path.join(folder, `${id}.json`), text);
  }
}

/** A URL on a made-up model repository, like the ones WanGP definitions list. */
export function hfUrl(name: string): string {
  return `https://huggingface.co/acme/Video/resolve/main/${name}`;
}

/** A definition file in WanGP's format: `{ "model": {...}, ...settings }`. */
export function definition(model: Record<string, unknown>, settings: Record<string, unknown> = {}): object {
  return { model, ...settings };
}
