#!/usr/bin/env node
// Runs the built sidecar (dist/sidecar/model-depot.mjs: one file per command, npm packages inside). In a checkout
// whose sources are newer than that build, or that has none yet, it runs the TypeScript sources through tsx instead,
// so a clone works with no build step and an edit shows at once. `npm install` builds (the prepare script).
import { readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/sidecar/model-depot.mjs', import.meta.url);

/** Modification time (ms) of `path`, or `missing` when there is no such file. */
function mtimeOf(path, missing) {
  try {
    return statSync(path).mtimeMs;
  } catch (error) {
    if (error.code === 'ENOENT') return missing;
    throw error;
  }
}

/** Newest modification time (ms) of the files the bundle is built from; 0 in an installed package (no sources). */
function newestSource() {
  let newest = mtimeOf(fileURLToPath(new URL('../build.mjs', import.meta.url)), 0);
  for (const top of ['../sidecar', '../shared']) {
    const dir = fileURLToPath(new URL(top, import.meta.url));
    if (mtimeOf(dir, 0) === 0) continue;
    for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) newest = Math.max(newest, mtimeOf(`${entry.parentPath}/${entry.name}`, 0));
    }
  }
  return newest;
}

// Node 22 and later keep compiled code between runs; Node 20 has no such cache.
module.enableCompileCache?.();

if (mtimeOf(fileURLToPath(bundle), -1) >= newestSource()) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../sidecar/cli/main.ts');
}
