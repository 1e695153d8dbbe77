import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test as base } from 'vitest';
import { createFakeHub, type FakeHub } from '../fake-hub/create-fake-hub';
import { type CliRun, runCli } from './run-cli';

export interface CliFixture {
  /** A fresh temporary folder per test: the CLI's cwd and HOME, with config.json, models/ and hf/ inside. */
  dir: string;
  /** A running fake HuggingFace and Civitai hub, closed after the test. */
  hub: FakeHub;
  /** Runs `model-depot --config <dir>/config.json --models <dir>/models ...` against the fake hub. */
  cli: (args: string[], extraEnv?: Record<string, string>) => Promise<CliRun>;
  /** Writes a workflow file into `dir` (a string as is, anything else as JSON) and returns its path. */
  workflow: (name: string, content: unknown) => Promise<string>;
}

/** `test` for the CLI as a user runs it: each fixture is built only when a test asks for it. */
export const test = base.extend<CliFixture>({
  dir: async ({}, use) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'depot-cli-'));
    await use(dir);
    await rm(dir, { recursive: true, force: true });
  },
  hub: async ({}, use) => {
    const hub = await createFakeHub();
    await use(hub);
    await hub.close();
  },
  cli: async ({ dir, hub }, use) => {
    await use((args, extraEnv = {}) =>
      runCli(['--config', path.join(dir, 'config.json'), '--models', path.join(dir, 'models'), ...args], {
        cwd: dir,
        env: {
          HOME: dir,
          HF_ENDPOINT: hub.hfUrl,
          CIVITAI_ENDPOINT: hub.civitaiUrl,
          HF_HUB_CACHE: path.join(dir, 'hf'),
          ...extraEnv,
        },
      }),
    );
  },
  workflow: async ({ dir }, use) => {
    await use(async (name, content) => {
      const file = path.join(dir, name);
      await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
      return file;
    });
  },
});
