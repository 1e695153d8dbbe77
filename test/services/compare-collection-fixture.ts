import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * A generated collection for `compare`: a repository of `count` tiny files and the same local models twice, once as
 * ComfyUI-Lora-Manager metadata JSON files and once as raw files, built so that every group has a known content.
 * File i falls in a group by i % 10:
 *   0-3 matched (LFS; some renamed locally)   4 name-only (regular file: no SHA-256 on the hub)
 *   5 mismatched (LFS, other local bytes)     6-8 missing     9 a README-like `.txt` regular file, missing
 * plus `extras` local models the repository lacks.
 */
export interface CompareCollection {
  repoFiles: Array<{ path: string; content: string; lfs: boolean }>;
  expected: { matched: string[]; nameOnly: string[]; mismatched: string[]; missing: string[]; localOnly: string[] };
  sha256Of: (content: string) => string;
}

export const sha256Of = (content: string) => createHash('sha256').update(content).digest('hex');

interface LocalModel {
  name: string;
  content: string;
}

export function buildCompareCollection(count: number, extras: number): CompareCollection & { locals: LocalModel[] } {
  const repoFiles: CompareCollection['repoFiles'] = [];
  const locals: LocalModel[] = [];
  const expected: CompareCollection['expected'] = {
    matched: [],
    nameOnly: [],
    mismatched: [],
    missing: [],
    localOnly: [],
  };
  for (let i = 0; i < count; i++) {
    const kind = i % 10;
    const name = kind === 9 ? `notes-${i}.txt` : `lora-${i}.safetensors`;
    const path = `loras/set-${i % 7}/${name}`;
    const content = `model ${i}\n`;
    repoFiles.push({ path, content, lfs: kind !== 4 && kind !== 9 });
    if (kind <= 3) {
      // Every fourth match sits under another name: SHA-256 wins over names.
      locals.push({ name: kind === 3 ? `renamed-${i}.safetensors` : name, content });
      expected.matched.push(path);
    } else if (kind === 4) {
      locals.push({ name, content });
      expected.nameOnly.push(path);
    } else if (kind === 5) {
      locals.push({ name, content: `older model ${i}\n` });
      expected.mismatched.push(path);
    } else {
      expected.missing.push(path);
    }
  }
  for (let e = 0; e < extras; e++) {
    const name = `extra-${e}.safetensors`;
    locals.push({ name, content: `extra ${e}\n` });
    expected.localOnly.push(name);
  }
  return { repoFiles, locals, expected, sha256Of };
}

/** Lora-Manager's layout: `<stem>.metadata.json` per model, in sub-folders, paths from a Windows machine. */
export async function writeMetadataFolder(dir: string, locals: readonly LocalModel[]): Promise<void> {
  await Promise.all(
    locals.map(async ({ name, content }, index) => {
      const stem = name.replace(/\.safetensors$/, '');
      const file = join(dir, `group-${index % 5}`, `${stem}.metadata.json`);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(
        file,
        JSON.stringify(
          {
            file_name: stem,
            model_name: stem,
            file_path: `H:\\AI\\ComfyUI\\models\\loras\\group-${index % 5}\\${name}`,
            size: Buffer.byteLength(content),
            sha256: sha256Of(content),
            base_model: 'Flux.1 D',
            civitai: { id: index },
          },
          null,
          2,
        ),
      );
    }),
  );
}

/** The raw files themselves, in the same sub-folders. */
export async function writeRawFolder(dir: string, locals: readonly LocalModel[]): Promise<void> {
  await Promise.all(
    locals.map(async ({ name, content }, index) => {
      const file = join(dir, `group-${index % 5}`, name);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
    }),
  );
}
