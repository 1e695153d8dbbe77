import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { test } from '../install-depot-fixture';

describe('createDepot', () => {
  test('holds the registry lock until closed: a second depot on the same models root is refused politely', async ({
    openDepot,
  }) => {
    const first = await openDepot();
    await expect(openDepot()).rejects.toMatchObject({ code: 'REGISTRY_LOCKED' });
    await first.close();
    const second = await openDepot();
    expect(second.stats().model_count).toBe(0);
  });

  test('releases the registry lock when a later start-up step fails, so the next start succeeds', async ({
    openDepot,
    modelsRoot,
  }) => {
    // A folder where the metadata cache file belongs: opening the cache fails after the lock was taken.
    const inTheWay = path.join(modelsRoot, '.cache', 'metadata.json');
    await mkdir(inTheWay, { recursive: true });
    await expect(openDepot()).rejects.toThrow();
    await rm(inTheWay, { recursive: true });
    const next = await openDepot();
    expect(next.stats().model_count).toBe(0);
  });

  test('indexes hub directories at start (in the background by default) and drops hub files that vanished', async ({
    openDepot,
    hubDir,
  }) => {
    await writeFile(path.join(hubDir, 'one.safetensors'), 'model one');
    await writeFile(path.join(hubDir, 'two.safetensors'), 'model two');
    const depot = await openDepot({ indexInBackground: true });
    expect(await depot.indexed).toMatchObject({ files: 2, registered: 2 });
    expect(depot.stats().model_count).toBe(2);
    await depot.close();

    await rm(path.join(hubDir, 'two.safetensors'));
    const again = await openDepot();
    expect(await again.indexed).toMatchObject({ files: 1, registered: 0 });
    expect(again.list().flatMap((m) => [m.file_path, ...m.aliases])).toEqual([path.join(hubDir, 'one.safetensors')]);
  });

  test('a check of a workflow that is not one is BAD_INPUT; a workflow with too many models is BAD_INPUT', async ({
    openDepot,
  }) => {
    const depot = await openDepot();
    await expect(depot.check(42)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const many = {
      dependencies: { loras: Array.from({ length: 1001 }, (_, i) => ({ filename: `l${i}.safetensors`, urls: [] })) },
    };
    await expect(depot.check(many)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    await expect(depot.install([{ category: 'loras' }] as never)).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});
