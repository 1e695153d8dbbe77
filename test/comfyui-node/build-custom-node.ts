import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** `node build.mjs extension` into `dir`: the custom node exactly as the build ships it, with this checkout's extension. */
export async function buildCustomNode(dir: string): Promise<string> {
  await promisify(execFile)(process.execPath, ['build.mjs', 'extension', '--out-dir', dir], { cwd: ROOT });
  return path.join(dir, 'comfyui-model-depot');
}
