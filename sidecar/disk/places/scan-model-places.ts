import { readdir, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DepotError, hasErrorCode, errorCodeOf } from '../../../shared/errors';
import { canonicalFolder, MODEL_FOLDERS, type ModelFolder } from '../../../shared/model-folders';
import { fileIdentity, type FileIdentity } from '../hashing/file-identity';
import { readExtraModelPaths } from './read-extra-model-paths';
import { scanHfCache } from './scan-hf-cache';
import { walkModelFiles, type SkippedEntry, type WalkedFile } from './walk-model-files';

export type { SkippedEntry } from './walk-model-files';

/** Where a file was found: the models root, a ComfyUI install's folders, a hub directory, the HuggingFace cache. */
export type ModelPlace = 'models' | 'extra' | 'hub' | 'hf-cache';

export interface FoundFile {
  /** Absolute path as found (through symlinks, not resolved). */
  path: string;
  /** The ComfyUI folder it belongs to; for hub and HF cache files, guessed from a folder name, else undefined. */
  category?: ModelFolder;
  place: ModelPlace;
  size: number;
  /** Set for HuggingFace cache blobs only: their SHA-256 is their name. */
  sha256?: string;
  /** The entry itself is a symlink to a file. */
  isSymlink: boolean;
  /** (dev, ino, size, mtimeMs) of the target at scan time. */
  identity: FileIdentity;
}

export interface ScanModelPlacesOptions {
  /** The models root; its category folders (ComfyUI names and legacy aliases, subfolders included) are scanned. */
  modelsRoot: string;
  /** Hub directories (the config's `hub_directories`): any tree of model files. Default none. */
  hubDirs?: readonly string[];
  /** The HuggingFace cache (HF_HUB_CACHE). Default: not scanned. */
  hfCacheDir?: string;
  /** A ComfyUI install: its `models/` folders and its extra_model_paths.yaml. Default: none. */
  comfyuiDir?: string;
  /** Only this category (a folder name or legacy alias); unknown names throw BAD_INPUT. Default: all. */
  folder?: string;
  /** For `$VARS` in extra_model_paths.yaml; default none. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Scan only these places (a sidecar start re-indexes only hubs and the HF cache); default all four. */
  places?: readonly ModelPlace[];
}

export interface ModelPlacesScan {
  files: FoundFile[];
  /** Broken symlinks, loops, FIFOs, unreadable folders, git-SHA-1 blobs: reported, never fatal. */
  skipped: SkippedEntry[];
}

/**
 * Lists every model file in every place a model may already be, in this order: the models root, the ComfyUI
 * install (its models/ and extra_model_paths.yaml), hub directories, the HuggingFace cache. A folder reached twice
 * (an extra path pointing into the models root, a symlink loop) is walked once, by its first path. Reads no file
 * content; HF cache blobs come with their SHA-256.
 */
export async function scanModelPlaces(options: ScanModelPlacesOptions): Promise<ModelPlacesScan> {
  const only = options.folder === undefined ? undefined : canonicalFolder(options.folder);
  if (options.folder !== undefined && only === undefined) {
    throw new DepotError(
      'BAD_INPUT',
      `--folder ${options.folder}: not a model folder. Use one of: ${MODEL_FOLDERS.join(', ')}.`,
    );
  }
  const files: FoundFile[] = [];
  const skipped: SkippedEntry[] = [];
  const visited = new Set<string>();
  const modelsRoot = resolve(options.modelsRoot);
  const comfyui = options.comfyuiDir === undefined ? undefined : resolve(options.comfyuiDir);
  const modelDirs = await categoryFolders(modelsRoot);
  const comfyuiDirs = comfyui === undefined ? [] : await categoryFolders(join(comfyui, 'models'));
  const extraDirs = comfyui === undefined ? [] : await readExtraModelPaths({ comfyuiDir: comfyui, env: options.env });
  const hubDirs = (options.hubDirs ?? []).map((hub) => resolve(hub));
  const reserved = await realPaths([
    modelsRoot,
    ...(comfyui === undefined ? [] : [join(comfyui, 'models')]),
    ...[...modelDirs, ...comfyuiDirs, ...extraDirs].map(({ dir }) => dir),
    ...hubDirs,
    ...(options.hfCacheDir === undefined ? [] : [resolve(options.hfCacheDir)]),
  ]);
  const onSkip = (entry: SkippedEntry) => skipped.push(entry);
  const add = (file: WalkedFile, place: ModelPlace, category: ModelFolder | undefined, sha256?: string) => {
    if (only !== undefined && category !== only) return;
    files.push({
      path: file.path,
      ...(category === undefined ? {} : { category }),
      place,
      size: file.stats.size,
      ...(sha256 === undefined ? {} : { sha256 }),
      isSymlink: file.isSymlink,
      identity: fileIdentity(file.stats),
    });
  };
  const walkCategory = async (dir: string, category: ModelFolder, place: ModelPlace) => {
    if (only !== undefined && category !== only) return;
    await walkModelFiles({ root: dir, visited, reserved, onSkip, onFile: (file) => add(file, place, category) });
  };

  const wanted = (place: ModelPlace) => options.places === undefined || options.places.includes(place);
  if (wanted('models')) for (const { dir, category } of modelDirs) await walkCategory(dir, category, 'models');
  if (wanted('extra'))
    for (const { dir, category } of [...comfyuiDirs, ...extraDirs]) await walkCategory(dir, category, 'extra');
  for (const hub of wanted('hub') ? hubDirs : []) {
    await walkModelFiles({
      root: hub,
      visited,
      reserved,
      onSkip,
      onFile: (file) => add(file, 'hub', guessCategory(file.folders)),
    });
  }
  if (options.hfCacheDir !== undefined && wanted('hf-cache')) {
    await scanHfCache({
      hfCacheDir: resolve(options.hfCacheDir),
      visited,
      reserved,
      onSkip,
      onFile: (file) => add(file, 'hf-cache', guessCategory(file.folders), file.sha256),
    });
  }
  return { files, skipped };
}

/** Real paths of the folders that exist among `dirs`. */
async function realPaths(dirs: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  await Promise.all(
    dirs.map(async (dir) => {
      try {
        out.add(await realpath(dir));
      } catch (error) {
        // A place that does not exist (yet) cannot be reached through a symlink either.
        if (!['ENOENT', 'ENOTDIR'].includes(errorCodeOf(error) ?? '')) throw error;
      }
    }),
  );
  return out;
}

/** The category folders of a models root, canonical names first, then legacy aliases (`unet`, `clip`...). */
async function categoryFolders(root: string): Promise<Array<{ dir: string; category: ModelFolder }>> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return [];
    throw new DepotError('IO', `Cannot read the models folder ${root}; check its permissions.`, { cause: error });
  }
  const folders = names.flatMap((name) => {
    const category = name.startsWith('.') ? undefined : canonicalFolder(name);
    return category === undefined ? [] : [{ dir: join(root, name), category, legacy: category !== name }];
  });
  folders.sort((a, b) => Number(a.legacy) - Number(b.legacy) || (a.dir < b.dir ? -1 : 1));
  return folders.map(({ dir, category }) => ({ dir, category }));
}

/** The deepest folder whose name is a model folder (`hub/flux/vae/x.safetensors` -> vae), else undefined. */
function guessCategory(folders: readonly string[]): ModelFolder | undefined {
  for (let i = folders.length - 1; i >= 0; i--) {
    const category = canonicalFolder(folders[i] ?? '');
    if (category !== undefined) return category;
  }
  return undefined;
}
