import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test as base } from 'vitest';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { createDepot, type CreateDepotOptions, type Depot } from '../../sidecar/services/depot/create-depot';
import { fakeHubDepotOptions } from './fake-hub-depot-options';

export interface DepotFixture {
  dir: string;
  modelsRoot: string;
  hubDir: string;
  hub: FakeHub;
  /** Opens a depot on the fixture's folders and fake hub; every one opened is closed after the test. */
  openDepot: (options?: Partial<CreateDepotOptions>) => Promise<Depot>;
}

export const test = base.extend<DepotFixture>({
  dir: async ({}, use) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'depot-svc-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  modelsRoot: async ({ dir }, use) => {
    await mkdir(path.join(dir, 'models'), { recursive: true });
    await use(path.join(dir, 'models'));
  },
  hubDir: async ({ dir }, use) => {
    await mkdir(path.join(dir, 'hub'), { recursive: true });
    await use(path.join(dir, 'hub'));
  },
  hub: async ({}, use) => {
    const hub = await createFakeHub();
    await use(hub);
    await hub.close();
  },
  openDepot: async ({ modelsRoot, hubDir, hub, dir }, use) => {
    const opened: Depot[] = [];
    await use(async (options = {}) => {
      const depot = await createDepot({
        modelsRoot,
        hubDirs: [hubDir],
        hfCacheDir: path.join(dir, 'hf-cache'),
        ...fakeHubDepotOptions(hub),
        ...options,
      });
      opened.push(depot);
      return depot;
    });
    for (const depot of opened) await depot.close();
  },
});
