import { readFile, rename } from 'node:fs/promises';
import { DepotError, hasErrorCode } from '../../shared/errors';
import { REGISTRY_SCHEMA_VERSION, zRegistryFile, type RegistryFile } from './registry-schema';

/**
 * What to do with a registry file that is not valid JSON or does not match the schema:
 * - `fail`: throw REGISTRY_CORRUPT and leave the file where it is (read-only openers, which do not own it);
 * - `set-aside`: rename it to `models.json.corrupt-<time>`, then throw REGISTRY_CORRUPT saying where it is;
 * - `recover`: rename it aside the same way and start from an empty registry (`migrate` rebuilds it);
 * - `ignore`: leave it where it is and start from an empty registry in memory (`migrate --dry-run`, which writes
 *   nothing).
 */
export type CorruptRegistryPolicy = 'fail' | 'set-aside' | 'recover' | 'ignore';

export interface LoadRegistryFileOptions {
  /** Absolute path of `models.json`. */
  file: string;
  /** See CorruptRegistryPolicy. */
  onCorrupt: CorruptRegistryPolicy;
  /** Clock for the name of the kept-aside file. */
  now: () => number;
}

export interface LoadedRegistryFile {
  data: RegistryFile;
  /** Where a corrupt file was kept (only with `onCorrupt: 'recover'`). */
  keptAside?: string;
}

export function emptyRegistryFile(): RegistryFile {
  return { schemaVersion: REGISTRY_SCHEMA_VERSION, models: {}, files: {} };
}

/** Reads and validates the registry file; a missing file is an empty registry. */
export async function loadRegistryFile(options: LoadRegistryFileOptions): Promise<LoadedRegistryFile> {
  const { file } = options;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return { data: emptyRegistryFile() };
    const reason = error instanceof Error ? error.message : String(error);
    throw new DepotError('IO', `Cannot read the registry ${file}: ${reason}`, { cause: error });
  }

  let json: unknown;
  let problem: string | undefined;
  try {
    json = JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    problem = `not valid JSON (${error.message})`;
  }

  if (problem === undefined) {
    const newer = newerSchemaVersion(json);
    if (newer !== undefined) {
      // Not corrupt: written by a newer model-depot. Setting it aside would lose a good registry.
      throw new DepotError(
        'REGISTRY_CORRUPT',
        `The registry ${file} has schema version ${newer}, newer than this model-depot understands ` +
          `(${REGISTRY_SCHEMA_VERSION}); update model-depot.`,
        { details: { file, schemaVersion: newer } },
      );
    }
    const parsed = zRegistryFile.safeParse(json);
    if (parsed.success) return { data: parsed.data };
    const issue = parsed.error.issues[0];
    problem = `does not match the registry schema (${issue ? `${issue.path.join('.') || 'top level'}: ${issue.message}` : 'unknown'})`;
  }

  if (options.onCorrupt === 'ignore') return { data: emptyRegistryFile() };
  if (options.onCorrupt === 'fail') {
    throw new DepotError(
      'REGISTRY_CORRUPT',
      `The registry ${file} is ${problem}. Stop other model-depot processes and run \`model-depot migrate\`: ` +
        'it keeps the broken file aside and rebuilds the registry from the files on disk.',
      { details: { file } },
    );
  }

  const keptAside = `${file}.corrupt-${new Date(options.now()).toISOString().replace(/[:.]/g, '-')}`;
  try {
    await rename(file, keptAside);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DepotError('IO', `The registry ${file} is ${problem}, and it could not be moved aside: ${reason}`, {
      cause: error,
    });
  }
  if (options.onCorrupt === 'recover') return { data: emptyRegistryFile(), keptAside };
  throw new DepotError(
    'REGISTRY_CORRUPT',
    `The registry ${file} was ${problem}; the file was kept at ${keptAside}. ` +
      'Run `model-depot migrate` to rebuild the registry from the files on disk.',
    { details: { file, keptAside } },
  );
}

function newerSchemaVersion(json: unknown): number | undefined {
  if (typeof json !== 'object' || json === null || !('schemaVersion' in json)) return undefined;
  const version = json.schemaVersion;
  return typeof version === 'number' && version > REGISTRY_SCHEMA_VERSION ? version : undefined;
}
