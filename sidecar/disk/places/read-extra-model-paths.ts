import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, normalize, resolve } from 'node:path';
import { parse } from 'yaml';
import { DepotError, hasErrorCode } from '../../../shared/errors';
import { zExtraModelPaths } from './extra-model-paths-schema';
import { canonicalFolder, type ModelFolder } from '../../../shared/model-folders';

export interface ReadExtraModelPathsOptions {
  /** The ComfyUI install; its `extra_model_paths.yaml` is read when present. */
  comfyuiDir: string;
  /** Variables for `$VAR` / `${VAR}` in paths; default: none (references stay as written, like Python's). */
  env?: Readonly<Record<string, string | undefined>>;
  /** What `~` expands to; default os.homedir(). */
  homeDir?: string;
}

export interface ExtraModelDir {
  category: ModelFolder;
  /** Absolute, normalized. */
  dir: string;
  /** From a section with `is_default: true` (ComfyUI puts those first). */
  isDefault: boolean;
  /** The YAML section it came from. */
  section: string;
}

/**
 * The model folders a ComfyUI install adds through `extra_model_paths.yaml`, resolved the way ComfyUI's
 * utils/extra_config.py does: `base_path` gets `~` and `$VARS` expanded and is relative to the YAML's folder;
 * each value may hold several paths, one per line; relative paths join base_path. Folder names that are not model
 * folders (custom nodes' own) are left out. A missing file gives []; a malformed one throws BAD_CONFIG naming it.
 */
export async function readExtraModelPaths({
  comfyuiDir,
  env = {},
  homeDir = homedir(),
}: ReadExtraModelPathsOptions): Promise<ExtraModelDir[]> {
  const file = join(comfyuiDir, 'extra_model_paths.yaml');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return [];
    throw new DepotError('IO', `Cannot read ${file}; check its permissions.`, { cause: error });
  }
  const parsed = zExtraModelPaths.safeParse(parseYaml(file, text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DepotError(
      'BAD_CONFIG',
      `${file}: "${issue?.path.join('.') ?? ''}" is not a folder path (${issue?.message ?? 'invalid'}). Fix or remove that entry.`,
      {
        details: { file },
      },
    );
  }
  const yamlDir = resolve(comfyuiDir);
  const expand = (value: string) => expandVars(expandHome(value.trim(), homeDir), env);
  const dirs: ExtraModelDir[] = [];
  for (const [section, entries] of Object.entries(parsed.data ?? {})) {
    if (!entries) continue;
    const rawBase = typeof entries.base_path === 'string' ? expand(entries.base_path) : undefined;
    const base = rawBase === undefined ? yamlDir : resolve(yamlDir, rawBase);
    const isDefault = entries.is_default === true;
    for (const [name, value] of Object.entries(entries)) {
      if (name === 'base_path' || name === 'is_default' || typeof value !== 'string') continue;
      const category = canonicalFolder(name);
      if (!category) continue;
      for (const line of value.split('\n')) {
        const path = expand(line);
        if (path === '') continue;
        dirs.push({ category, dir: normalize(isAbsolute(path) ? path : join(base, path)), isDefault, section });
      }
    }
  }
  return [...dirs.filter((d) => d.isDefault), ...dirs.filter((d) => !d.isDefault)];
}

function parseYaml(file: string, text: string): unknown {
  try {
    return parse(text);
  } catch (error) {
    throw new DepotError(
      'BAD_CONFIG',
      `${file} is not valid YAML: ${error instanceof Error ? error.message.split('\n')[0] : 'parse error'}.`,
      {
        details: { file },
        cause: error,
      },
    );
  }
}

function expandHome(path: string, homeDir: string): string {
  return path === '~' || path.startsWith('~/') ? join(homeDir, path.slice(1)) : path;
}

function expandVars(path: string, env: Readonly<Record<string, string | undefined>>): string {
  return path.replace(/\$(\w+)|\$\{([^}]+)\}/g, (match, plain: string | undefined, braced: string | undefined) => {
    const value = env[plain ?? braced ?? ''];
    return value === undefined ? match : value;
  });
}
