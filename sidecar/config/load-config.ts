import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import envPaths from 'env-paths';
import type { ZodIssue } from 'zod';
import { DepotError, hasErrorCode } from '../../shared/errors';
import { CONFIG_KEY_HINTS, zConfig, type Config } from './config-schema';
import { locateJsonError } from './locate-json-error';

export interface LoadConfigOptions {
  /** The config file. Default: `config.json` in the user's config folder (`defaultConfigFile()`). */
  file?: string;
}

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file read (or created). */
  file: string;
  /** True when the file did not exist and was written with the defaults. */
  created: boolean;
}

/** `~/.config/model-depot/config.json` on Linux (XDG_CONFIG_HOME respected), the platform's equivalent elsewhere. */
export function defaultConfigFile(): string {
  return path.join(envPaths('model-depot', { suffix: '' }).config, 'config.json');
}

/**
 * Reads the config file, creating it with the defaults on first run, so a person finds every setting explained in it. A file that is not JSON, or has a
 * key of the wrong type or an unknown key, is a BAD_CONFIG error naming the file, the key and what it must hold;
 * the file is never rewritten (a person's edits are theirs).
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const file = path.resolve(options.file ?? defaultConfigFile());
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return { config: await createDefaultConfig(file), file, created: true };
    const reason = error instanceof Error ? error.message : String(error);
    throw new DepotError(
      'BAD_CONFIG',
      `Cannot read the config file ${file}: ${reason}. Fix its permissions or pass --config FILE.`,
      {
        cause: error,
        details: { file },
      },
    );
  }

  let json: unknown;
  try {
    // Editors on Windows may save a byte-order mark, which JSON.parse refuses.
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new DepotError(
      'BAD_CONFIG',
      `The config file ${file} is not valid JSON (${describeSyntaxError(error, text)}). ` +
        'Fix it, or delete the file to get the defaults back.',
      { details: { file } },
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new DepotError('BAD_CONFIG', `The config file ${file} must hold a JSON object ({ "key": value, ... }).`, {
      details: { file },
    });
  }

  const unknownKey = Object.keys(json).find((key) => !key.startsWith('_') && !(key in CONFIG_KEY_HINTS));
  if (unknownKey !== undefined) {
    throw new DepotError(
      'BAD_CONFIG',
      `The config file ${file} has an unknown key "${unknownKey}". Known keys: ` +
        `${Object.keys(CONFIG_KEY_HINTS)
          .filter((k) => !k.startsWith('_'))
          .join(', ')}. ` +
        'Fix or remove it (keys starting with _ are comments).',
      { details: { file, key: unknownKey } },
    );
  }

  const parsed = zConfig.safeParse(json);
  if (!parsed.success) throw badKey(file, json, parsed.error.issues[0]);
  return { config: parsed.data, file, created: false };
}

async function createDefaultConfig(file: string): Promise<Config> {
  const config = zConfig.parse({});
  const { hub_directory: _unused, ...written } = config;
  await mkdir(path.dirname(file), { recursive: true });
  // Written aside and linked into place: never a half-written file, and never over a file another
  // first run created in the meantime (link fails with EEXIST instead of replacing it).
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(written, null, 2)}\n`);
  try {
    await link(temp, file);
  } catch (error) {
    if (!hasErrorCode(error, 'EEXIST')) throw error;
  } finally {
    await unlink(temp);
  }
  return config;
}

function badKey(file: string, json: object, issue: ZodIssue | undefined): DepotError {
  const key = issue?.path.map(String).join('.') ?? '';
  const topKey = String(issue?.path[0] ?? '');
  const found = issue ? valueAt(json, issue.path) : undefined;
  const hint = CONFIG_KEY_HINTS[topKey] ?? issue?.message ?? 'a valid value';
  return new DepotError(
    'BAD_CONFIG',
    `The config file ${file} has a bad value for "${key}": ${JSON.stringify(found) ?? 'nothing'} ` +
      `(${issue?.message ?? 'invalid'}); it must be ${hint}. Fix it, or remove the key to use its default.`,
    { details: { file, key } },
  );
}

function valueAt(json: unknown, keys: (string | number)[]): unknown {
  let value = json;
  for (const key of keys) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = Object.getOwnPropertyDescriptor(value, key)?.value;
  }
  return value;
}

function describeSyntaxError(error: SyntaxError, text: string): string {
  const where = locateJsonError(text);
  return where ? `line ${where.line}, column ${where.column}: expected ${where.expected}` : error.message;
}
