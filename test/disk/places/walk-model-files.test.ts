import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type SkippedEntry, type WalkedFile, walkModelFiles } from '../../../sidecar/disk/places/walk-model-files';

describe('walkModelFiles', () => {
  it.skipIf(process.platform === 'win32')(
    'does not follow a symlink up to / or into /proc, and still finds the models beside them',
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'walk-links-'));
      try {
        const root = path.join(dir, 'models');
        await mkdir(path.join(root, 'loras'), { recursive: true });
        await writeFile(path.join(root, 'loras', 'a.safetensors'), 'x');
        await symlink('/', path.join(root, 'everything'));
        await symlink('/proc', path.join(root, 'proc'));
        await symlink(dir, path.join(root, 'loras', 'parent'));
        const files: WalkedFile[] = [];
        const skipped: SkippedEntry[] = [];
        await walkModelFiles({
          root,
          visited: new Set(),
          onFile: (f) => files.push(f),
          onSkip: (s) => skipped.push(s),
        });
        expect(files.map((f) => path.relative(root, f.path))).toEqual([path.join('loras', 'a.safetensors')]);
        expect(skipped.map((s) => [path.relative(root, s.path), s.reason])).toEqual([
          ['everything', 'a link up to a folder that holds this one; not followed'],
          [path.join('loras', 'parent'), 'a link up to a folder that holds this one; not followed'],
          ['proc', 'a link into a system folder; not followed'],
        ]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    10_000,
  );
});
