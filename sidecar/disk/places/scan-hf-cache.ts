import { hasErrorCode, errorCodeOf } from '../../../shared/errors';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { WalkedFile, SkippedEntry } from './walk-model-files';
import { walkModelFiles } from './walk-model-files';

export interface HfCacheFile extends WalkedFile {
  /** The blob's name when it is a SHA-256 (an LFS file): the model's hash, no reading needed. */
  sha256?: string;
}

export interface ScanHfCacheOptions {
  /** `$HF_HUB_CACHE` (default ~/.cache/huggingface/hub, resolved by the caller). A missing folder yields nothing. */
  hfCacheDir: string;
  /** Shared with the other walks of the scan. */
  visited: Set<string>;
  /** The scan's own roots, not entered from inside another folder. */
  reserved?: ReadonlySet<string>;
  onFile: (file: HfCacheFile) => void;
  onSkip: (entry: SkippedEntry) => void;
}

const SHA256_NAME = /^[0-9a-f]{64}$/;
const GIT_SHA1_NAME = /^[0-9a-f]{40}$/;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * The HuggingFace cache (`models--org--name/snapshots/<commit>/<path> -> ../../blobs/<hash>`; reference:
 * hub-protocols.md "The HF cache"). A snapshot file whose blob is named by 64 hex digits is an LFS file whose
 * SHA-256 is that name: it is returned with `sha256` set after a size check (the blob is complete and non-empty;
 * huggingface_hub only renames `<blob>.incomplete` into place when the download is done), never read.
 * Blobs named by a git SHA-1 (small non-LFS files) are skipped. A snapshot holding a plain copy (Windows without
 * symlinks) is returned without `sha256`, to be hashed like any file.
 */
export async function scanHfCache({
  hfCacheDir,
  visited,
  reserved,
  onFile,
  onSkip,
}: ScanHfCacheOptions): Promise<void> {
  let repos: string[];
  try {
    repos = (await readdir(hfCacheDir)).filter((name) => /^(models|datasets|spaces)--/.test(name)).sort();
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return;
    onSkip({ path: hfCacheDir, reason: 'cannot read the HuggingFace cache folder' });
    return;
  }
  for (const repo of repos) {
    const blobsDir = resolve(hfCacheDir, repo, 'blobs');
    const pending: Array<Promise<void>> = [];
    await walkModelFiles({
      root: join(hfCacheDir, repo, 'snapshots'),
      visited,
      reserved,
      onSkip,
      onFile: (file) => {
        // The walk's first folder is the commit; the rest are the repo's own folders.
        const folders = file.folders.slice(1);
        pending.push(
          classify({ ...file, folders }, blobsDir).then(
            (found) => ('reason' in found ? onSkip(found) : onFile(found)),
            // The link or blob went away between the walk and this look: skipped like any vanished file.
            (error: unknown) =>
              onSkip({ path: file.path, reason: `changed during the scan (${errorCodeOf(error) ?? 'error'})` }),
          ),
        );
      },
    });
    await Promise.all(pending);
  }
}

async function classify(file: WalkedFile, blobsDir: string): Promise<HfCacheFile | SkippedEntry> {
  if (!file.isSymlink) return file;
  const target = resolve(dirname(file.path), await readlink(file.path));
  const name = basename(target);
  if (dirname(target) !== blobsDir) return file;
  if (GIT_SHA1_NAME.test(name))
    return { path: file.path, reason: 'HuggingFace cache blob named by a git SHA-1 (not an LFS file)' };
  if (!SHA256_NAME.test(name)) return file;
  const blob = await lstat(target);
  if (!blob.isFile() || blob.size !== file.stats.size || (blob.size === 0 && name !== EMPTY_SHA256)) {
    return { path: file.path, reason: `HuggingFace cache blob ${name} failed the size check (${blob.size} bytes)` };
  }
  return { ...file, sha256: name };
}
