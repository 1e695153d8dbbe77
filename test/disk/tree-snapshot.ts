import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Every entry under `root` with its type, size, mtime and symlink target: equal snapshots mean nothing changed. */
export async function treeSnapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string, rel: string): Promise<void> {
    for (const name of (await readdir(dir)).sort()) {
      const path = join(dir, name);
      const key = rel ? `${rel}/${name}` : name;
      const info = await lstat(path);
      if (info.isSymbolicLink()) out[key] = `symlink -> ${await readlink(path)} @${info.mtimeMs}`;
      else if (info.isDirectory()) {
        out[key] = `dir @${info.mtimeMs}`;
        await walk(path, key);
      } else out[key] = `${info.isFile() ? 'file' : 'other'} ${info.size} @${info.mtimeMs}`;
    }
  }
  await walk(root, '');
  return out;
}
