import { execFile } from 'node:child_process';
import { cp, lstat, readdir, readFile, rename, rm, stat, symlink, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DepotError, hasErrorCode } from '../../../shared/errors';

/** The custom node's folder name in ComfyUI/custom_nodes and in dist/. */
export const CUSTOM_NODE_NAME = 'comfyui-model-depot';

/** Written into the installed folder so a later install knows the folder is ours to replace. */
const MARKER_FILE = '.model-depot-install.json';

export interface InstallComfyuiExtensionOptions {
  /** The ComfyUI folder (the one holding `custom_nodes/` and `main.py`). */
  comfyuiDir: string;
  /** The built custom node (default: `dist/comfyui-model-depot` of this checkout, built first when missing or older than the sources). */
  distDir?: string;
  /** `copy` (default: works in containers and across volumes) or `symlink` (follows later rebuilds). */
  mode?: 'copy' | 'symlink';
  /** Builds dist/ (default: `node build.mjs extension` in this checkout). Only called for the default `distDir`. */
  build?: () => Promise<void>;
}

export interface InstalledComfyuiExtension {
  /** `<comfyuiDir>/custom_nodes/comfyui-model-depot`. */
  target: string;
  /** Where the files came from. */
  source: string;
  mode: 'copy' | 'symlink';
  /** True when the bundle had to be built first. */
  built: boolean;
  /** True when an earlier install was replaced. */
  replaced: boolean;
}

/**
 * Installs the frontend extension into ComfyUI as a custom node (`__init__.py` + `web/model-depot.js`, see
 * ../shared/reference/comfyui-frontend.md section 5). Replaces an earlier install of ours, never anything else.
 */
export async function installComfyuiExtension(
  options: InstallComfyuiExtensionOptions,
): Promise<InstalledComfyuiExtension> {
  const comfyuiDir = path.resolve(options.comfyuiDir);
  const customNodes = await customNodesDir(comfyuiDir);
  const mode = options.mode ?? 'copy';
  let built = false;
  let source: string;
  if (options.distDir !== undefined) {
    source = path.resolve(options.distDir);
  } else {
    const { distDir, repoRoot } = await locateDefaultDist();
    source = distDir;
    if (repoRoot !== undefined && (await isStale(source, repoRoot))) {
      await (options.build ?? (() => runBuild(repoRoot)))();
      built = true;
    }
  }
  await requireBundle(source);

  const target = path.join(customNodes, CUSTOM_NODE_NAME);
  const replaced = await clearPreviousInstall(target);
  if (mode === 'symlink') {
    await symlink(source, target, 'dir');
  } else {
    // Copy beside the target, then rename: ComfyUI never sees a half-copied folder.
    const staging = `${target}.partial-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await cp(source, staging, { recursive: true });
    // `cli` tells the custom node what to run when it starts the sidecar on demand.
    const marker = { installedBy: 'model-depot', source, cli: await locateCli() };
    await writeFile(path.join(staging, MARKER_FILE), `${JSON.stringify(marker, null, 2)}\n`);
    await rename(staging, target);
  }
  return { target, source, mode, built, replaced };
}

async function customNodesDir(comfyuiDir: string): Promise<string> {
  const customNodes = path.join(comfyuiDir, 'custom_nodes');
  if (await isDirectory(customNodes)) return customNodes;
  if (!(await isDirectory(comfyuiDir))) {
    throw new DepotError(
      'BAD_INPUT',
      `The ComfyUI folder ${comfyuiDir} does not exist. Pass the folder that holds main.py and custom_nodes/.`,
    );
  }
  if (await isFile(path.join(comfyuiDir, 'main.py'))) {
    await mkdir(customNodes);
    return customNodes;
  }
  throw new DepotError(
    'BAD_INPUT',
    `${comfyuiDir} does not look like a ComfyUI folder (no custom_nodes/ and no main.py). Pass the folder that holds them.`,
  );
}

/** Removes an earlier install of ours (a symlink, or a folder with our marker); refuses to touch anything else. */
async function clearPreviousInstall(target: string): Promise<boolean> {
  const info = await lstat(target).catch((error: unknown) => {
    if (hasErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  });
  if (info === undefined) return false;
  if (info.isSymbolicLink()) {
    await rm(target);
    return true;
  }
  if (info.isDirectory() && (await isFile(path.join(target, MARKER_FILE)))) {
    await rm(target, { recursive: true, force: true });
    return true;
  }
  throw new DepotError(
    'CONFLICT',
    `${target} already exists and was not installed by model-depot; it was left as it is. Move it away and run again.`,
  );
}

/**
 * dist/comfyui-model-depot next to this code: `<repo>/dist/...` when running from the sources (sidecar/services/comfyui/),
 * `dist/comfyui-model-depot` beside `dist/sidecar/` when running from the bundle.
 */
async function locateDefaultDist(): Promise<{ distDir: string; repoRoot?: string }> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const root of [path.resolve(here, '..', '..'), path.resolve(here, '..', '..', '..')]) {
    if (await isFile(path.join(root, 'build.mjs')))
      return { distDir: path.join(root, 'dist', CUSTOM_NODE_NAME), repoRoot: root };
  }
  return { distDir: path.resolve(here, '..', CUSTOM_NODE_NAME) };
}

/** This install's `bin/model-depot.cjs`, found upward from this file (sources or bundle); undefined if not found. */
async function locateCli(): Promise<string | undefined> {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 5; level++) {
    const cli = path.join(dir, 'bin', 'model-depot.cjs');
    if (await isFile(cli)) return cli;
    dir = path.dirname(dir);
  }
  return undefined;
}

/** Missing, or older than any source of the extension: a checkout that moved on must not install an old bundle. */
async function isStale(distDir: string, repoRoot: string): Promise<boolean> {
  let builtAt: number;
  try {
    builtAt = (await stat(path.join(distDir, 'web', 'model-depot.js'))).mtimeMs;
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return true;
    throw error;
  }
  for (const folder of ['extension', 'shared', 'comfyui-node']) {
    const entries = await readdir(path.join(repoRoot, folder), { recursive: true, withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      if ((await stat(path.join(entry.parentPath, entry.name))).mtimeMs > builtAt) return true;
    }
  }
  return false;
}

function runBuild(repoRoot: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['build.mjs', 'extension'], { cwd: repoRoot }, (error, _stdout, stderr) => {
      if (error) {
        reject(
          new DepotError(
            'IO',
            `Building the extension failed (node build.mjs in ${repoRoot}): ${stderr.trim() || error.message}`,
            { cause: error },
          ),
        );
      } else {
        resolve();
      }
    });
  });
}

async function requireBundle(distDir: string): Promise<void> {
  const bundle = path.join(distDir, 'web', 'model-depot.js');
  if (!(await isFile(bundle)) || !(await isFile(path.join(distDir, '__init__.py')))) {
    throw new DepotError(
      'NOT_FOUND',
      `No built extension at ${distDir} (web/model-depot.js and __init__.py). Run \`npm run build\` in the model-depot folder.`,
    );
  }
  const text = await readFile(bundle, 'utf8');
  if (!text.includes('/scripts/app.js')) {
    throw new DepotError(
      'BAD_INPUT',
      `${bundle} is not the model-depot extension bundle. Run \`npm run build\` again.`,
    );
  }
}

async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'ENOTDIR')) return false;
    throw error;
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'ENOTDIR')) return false;
    throw error;
  }
}
