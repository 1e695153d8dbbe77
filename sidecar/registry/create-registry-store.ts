import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { DepotError } from '../../shared/errors';
import { hasErrorCode } from '../../shared/has-error-code';
import type { RegistryFile } from '../../shared/registry-schema';
import { DurableDataFile } from './durable-data-file';
import { registryIoError } from './registry-io-error';

export interface CreateRegistryStoreOptions {
  /** Absolute path of `models.json`; its folder exists and its lock is held. */
  file: string;
}

/** Where the registry is saved: `write` resolves once the whole registry is durably on disk. */
export interface RegistryStore {
  /** Saves the whole registry (DISK_FULL when the disk is full, IO for any other failure; the old file stays). */
  write(data: RegistryFile): Promise<void>;
}

/**
 * The registry's on-disk store (loading is `loadRegistryFile`): a durable lowdb adapter over `models.json`, written
 * indented so a person can read it. It first removes the temporary files of writes that a killed process left
 * behind, which only the lock holder may do: no one else writes there.
 */
export async function createRegistryStore(options: CreateRegistryStoreOptions): Promise<RegistryStore> {
  const { file } = options;
  await removeWriteLeftovers(file);
  const adapter = new DurableDataFile<RegistryFile>(file, {
    parse: JSON.parse,
    stringify: (value) => `${JSON.stringify(value, null, 1)}\n`,
  });
  return {
    async write(data) {
      try {
        await adapter.write(data);
      } catch (error) {
        if (hasErrorCode(error, 'ENOSPC')) {
          throw new DepotError('DISK_FULL', `The disk holding ${file} is full; the registry was not saved.`, {
            cause: error,
          });
        }
        throw registryIoError(`Cannot write the registry ${file}`, error);
      }
    },
  };
}

/** `models.json.<pid>.<random>.tmp` (writeFileAtomic) and `.models.json.tmp` (the steno writer of older versions). */
async function removeWriteLeftovers(file: string): Promise<void> {
  const folder = path.dirname(file);
  const name = path.basename(file);
  const leftover = (entry: string) =>
    entry === `.${name}.tmp` || (entry.startsWith(`${name}.`) && /^\.\d+\.[0-9a-f]+\.tmp$/.test(entry.slice(name.length)));
  try {
    const names = await readdir(folder);
    await Promise.all(names.filter(leftover).map((entry) => rm(path.join(folder, entry), { force: true })));
  } catch (error) {
    throw registryIoError(`Cannot clean the registry folder ${folder}`, error);
  }
}
