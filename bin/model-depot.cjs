#!/usr/bin/env node
// Runs the built CLI, dist/sidecar/model-depot.cjs (one CommonJS file, npm packages inside), compiled with V8's code
// cache: the first run of a command saves what V8 compiled for it, and later runs start without parsing anything
// (Node 20 offers this for CommonJS only, through node:vm). In a checkout whose sources are newer than that build, or
// that has none yet, it runs the TypeScript sources through tsx instead, so a clone works with no build step and an
// edit shows at once. `npm install` builds (the prepare script).
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

const ROOT = path.join(__dirname, '..');
const BUNDLE = path.join(ROOT, 'dist', 'sidecar', 'model-depot.cjs');
/** At most this many saved commands per build: the name is guessed from the line, so it is bounded. */
const MAX_CACHED_COMMANDS = 40;

/** `fs.statSync(file)`, or undefined when there is no such file. */
function statOrUndefined(file) {
  try {
    return fs.statSync(file);
  } catch (error) {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** Newest modification time (ms) of the files the bundle is built from; 0 in an installed package (no sources). */
function newestSource() {
  let newest = statOrUndefined(path.join(ROOT, 'build.mjs'))?.mtimeMs ?? 0;
  for (const top of ['sidecar', 'shared']) {
    const dir = path.join(ROOT, top);
    if (statOrUndefined(dir) === undefined) continue;
    for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile())
        newest = Math.max(newest, statOrUndefined(path.join(entry.parentPath, entry.name))?.mtimeMs ?? 0);
    }
  }
  return newest;
}

/**
 * The folder for this build's code caches: beside the bundle when this user may write there (a clone, or a package
 * installed by this user), else in the user's own cache folder. Never a shared folder such as /tmp: compiled code
 * that another user could write would run as this one.
 */
function cacheDirFor(bundle, built) {
  // One folder per build of the bundle, and in it one per Node: two Nodes running one install (ComfyUI's and the
  // shell's) keep a cache each instead of replacing each other's.
  const buildKey = `${built.size}-${Math.trunc(built.mtimeMs)}`;
  const nodeKey = `${process.version}-${process.arch}`;
  let parent = path.join(path.dirname(bundle), 'code-cache');
  try {
    fs.accessSync(path.dirname(bundle), fs.constants.W_OK);
  } catch (error) {
    if (typeof error.code !== 'string') throw error;
    const userCache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
    parent = path.join(userCache, 'model-depot', 'code-cache');
  }
  return { parent, build: path.join(parent, buildKey), dir: path.join(parent, buildKey, nodeKey) };
}

/** The command's name as typed (a cache of its own each, so each command's code is cached); 'none' without one. */
function commandWord(args) {
  return args.find((arg) => /^[a-z][a-z-]{1,30}$/.test(arg)) ?? 'none';
}

/** Saves what V8 compiled in this run; a cache that cannot be written only means the next start compiles again. */
function saveCodeCache(script, cache, file, bundle, built) {
  try {
    // Replaced while this process ran (a long `serve` outlives a build or an update): its code is of no use any more,
    // and saving it would remove the caches the new build's commands have saved meanwhile.
    const now = statOrUndefined(bundle);
    if (now === undefined || now.size !== built.size || now.mtimeMs !== built.mtimeMs) return;
    if (!fs.existsSync(cache.build)) {
      // A new build: the caches of the builds before it are of no use any more.
      // Another first run of this build may have made its folder meanwhile: that one stays.
      for (const old of fs.existsSync(cache.parent) ? fs.readdirSync(cache.parent) : []) {
        if (path.join(cache.parent, old) !== cache.build)
          fs.rmSync(path.join(cache.parent, old), { recursive: true, force: true });
      }
    }
    fs.mkdirSync(cache.dir, { recursive: true, mode: 0o700 });
    if (fs.readdirSync(cache.dir).length >= MAX_CACHED_COMMANDS) return;
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch (error) {
    if (typeof error.code !== 'string') throw error;
  }
}

/** Runs the CommonJS bundle as `require` would, with V8's code cache for this command when there is one. */
function runBundle(bundle, built) {
  const cache = cacheDirFor(bundle, built);
  const file = path.join(cache.dir, `${commandWord(process.argv.slice(2))}.v8`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(file);
  } catch (error) {
    if (typeof error.code !== 'string') throw error;
  }
  // The bundle is ASCII (esbuild escapes the rest), so latin1 reads it as is, without decoding UTF-8.
  const source = fs.readFileSync(bundle, 'latin1');
  // The wrapper Node's own CommonJS loader puts around a file.
  const wrapped = `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
  const script = new vm.Script(wrapped, { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected)
    process.once('exit', () => saveCodeCache(script, cache, file, bundle, built));
  const bundleModule = new Module(bundle, module);
  bundleModule.filename = bundle;
  bundleModule.loaded = true;
  const requireFromBundle = Module.createRequire(bundle);
  script.runInThisContext()(bundleModule.exports, requireFromBundle, bundleModule, bundle, path.dirname(bundle));
}

const built = statOrUndefined(BUNDLE);
if (built !== undefined && built.mtimeMs >= newestSource()) {
  runBundle(BUNDLE, built);
} else {
  import('tsx/esm/api').then(({ register }) => {
    register();
    return import('../sidecar/cli/main.ts');
  });
}
