import { mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { zGlobalCliOptions, type Config } from '../config/config-schema';
import { DepotError, hasErrorCode } from '../../shared/errors';
import { loadConfig } from '../config/load-config';
import { resolveConfigPath } from '../config/resolve-config-path';
import { readHfToken } from '../config/read-hf-token';

/**
 * What the environment says (HF_TOKEN, HF_ENDPOINT, HF_HOME and the rest; see the README). Tokens live only here, in memory, as non-enumerable
 * properties: logging or JSON-serializing the context never shows them, and a spread (`{ ...env }`) drops them, so
 * pass `env.hfToken` / `env.civitaiToken` on explicitly.
 */
export interface CliEnv {
  /** HF_TOKEN, else HUGGING_FACE_HUB_TOKEN, else the token file of `hf auth login`. Never printed or written. */
  hfToken?: string;
  /** CIVITAI_API_TOKEN. Never printed or written. */
  civitaiToken?: string;
  /** HF_ENDPOINT without a trailing slash; default https://huggingface.co. */
  hfEndpoint: string;
  /** CIVITAI_ENDPOINT without a trailing slash; default https://civitai.com. */
  civitaiEndpoint: string;
  /** HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub (XDG_CACHE_HOME respected). */
  hfCacheDir: string;
  /**
   * What the depot's HTTP agent reads: the proxy variables, NODE_EXTRA_CA_CERTS, HF_HUB_ETAG_TIMEOUT and
   * HF_HUB_DOWNLOAD_TIMEOUT. Not
   * enumerable either: a proxy URL may carry its password.
   */
  httpEnv?: Readonly<Record<string, string | undefined>>;
}

/** Everything a command needs from flags, config and environment, resolved once. */
export interface CliContext {
  /** Absolute and created: `--comfyui DIR`/models, else `--models`, else the config's models_directory. */
  modelsRoot: string;
  /** The ComfyUI install given with `--comfyui` (absolute), when the command has that option. */
  comfyuiDir?: string;
  config: Config;
  /** Absolute path of the config file read (or created on this run). */
  configFile: string;
  /** Absolute hub folders: the config's, then `--hub-dir` ones; empty entries dropped, no duplicates. */
  hubDirs: string[];
  /**
   * The WanGP folder (absolute) `--wan2gp DIR` names, else the config's `wan2gp_directory`: a WanGP install or its
   * ckpts folder, not checked yet. Undefined when neither is set.
   */
  wan2gpDir?: string;
  /** `--json`: machine output on stdout. */
  json: boolean;
  /** `--quiet`: print only errors. */
  quiet: boolean;
  /** `--offline`, or HF_HUB_OFFLINE set to 1/true/yes/on: no request to any host. */
  offline: boolean;
  env: CliEnv;
}

export interface ResolveCliContextOptions {
  /** Default `process.env`. MODEL_DEPOT_CONFIG picks the config file when `--config` is absent. */
  env?: NodeJS.ProcessEnv;
  /** Relative paths in flags and config resolve against this. Default `process.cwd()`. */
  cwd?: string;
}

/** Reads the global options of `command` (and `--comfyui` when it has one), the config file and the environment. */
export async function resolveCliContext(command: Command, options: ResolveCliContextOptions = {}): Promise<CliContext> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const home = env.HOME || homedir();
  const flags = zGlobalCliOptions.parse(command.optsWithGlobals());
  const where = { cwd, home };

  const configArg = flags.config ?? (env.MODEL_DEPOT_CONFIG || undefined);
  const { config, file: configFile } = await loadConfig({
    file: configArg === undefined ? undefined : resolveConfigPath(configArg, where),
  });

  let comfyuiDir: string | undefined;
  let modelsRoot: string;
  if (flags.comfyui !== undefined) {
    comfyuiDir = resolveConfigPath(flags.comfyui, where);
    await requireFolder(comfyuiDir, `The ComfyUI folder ${comfyuiDir}`);
    modelsRoot = path.join(comfyuiDir, 'models');
  } else {
    modelsRoot = resolveConfigPath(flags.models ?? config.models_directory, where);
  }
  await createFolder(modelsRoot);

  const hubDirs = [...config.hub_directories, config.hub_directory ?? '', ...flags.hubDir]
    .filter((dir) => dir.trim() !== '')
    .map((dir) => resolveConfigPath(dir, where));

  const wan2gp = flags.wan2gp ?? config.wan2gp_directory ?? '';
  const wan2gpDir = wan2gp.trim() === '' ? undefined : resolveConfigPath(wan2gp, where);

  return {
    modelsRoot,
    ...(comfyuiDir === undefined ? {} : { comfyuiDir }),
    ...(wan2gpDir === undefined ? {} : { wan2gpDir }),
    config,
    configFile,
    hubDirs: [...new Set(hubDirs)],
    json: flags.json,
    quiet: flags.quiet,
    offline: flags.offline || /^(1|true|yes|on)$/i.test(env.HF_HUB_OFFLINE?.trim() ?? ''),
    env: await readCliEnv(env, home),
  };
}

/** The variables the depot's HTTP agent reads (proxies in both cases, as curl and undici accept them). */
const HTTP_ENV_NAMES = [
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'NO_PROXY',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'HF_HUB_ETAG_TIMEOUT',
  'HF_HUB_DOWNLOAD_TIMEOUT',
];

async function readCliEnv(env: NodeJS.ProcessEnv, home: string): Promise<CliEnv> {
  const hfCacheDir =
    env.HF_HUB_CACHE ||
    (env.HF_HOME ? path.join(env.HF_HOME, 'hub') : undefined) ||
    path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'huggingface', 'hub');
  const result: CliEnv = {
    hfEndpoint: endpoint('HF_ENDPOINT', env.HF_ENDPOINT, 'https://huggingface.co'),
    civitaiEndpoint: endpoint('CIVITAI_ENDPOINT', env.CIVITAI_ENDPOINT, 'https://civitai.com'),
    hfCacheDir: path.resolve(hfCacheDir),
  };
  const httpEnv = Object.fromEntries(HTTP_ENV_NAMES.map((name) => [name, env[name]]));
  Object.defineProperty(result, 'httpEnv', { value: httpEnv, enumerable: false });
  // Not enumerable, so logging or serializing the context can never print a token.
  // HF_TOKEN, HUGGING_FACE_HUB_TOKEN, else the file `hf auth login` wrote (HF_TOKEN_PATH, else $HF_HOME/token).
  const hfToken = await readHfToken({ env: { ...env, HOME: home } });
  if (hfToken) Object.defineProperty(result, 'hfToken', { value: hfToken, enumerable: false });
  if (env.CIVITAI_API_TOKEN) {
    Object.defineProperty(result, 'civitaiToken', { value: env.CIVITAI_API_TOKEN, enumerable: false });
  }
  return result;
}

function endpoint(name: string, value: string | undefined, fallback: string): string {
  if (!value) return fallback;
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new DepotError(
      'BAD_INPUT',
      `${name} is not a URL: "${value}". Set it to a URL such as ${fallback}, or unset it.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DepotError('BAD_INPUT', `${name} must be an http(s) URL, such as ${fallback}.`);
  }
  return value.replace(/\/+$/, '');
}

async function requireFolder(dir: string, what: string): Promise<void> {
  try {
    if ((await stat(dir)).isDirectory()) return;
  } catch (error) {
    if (!hasErrorCode(error, 'ENOENT')) throw error;
    throw new DepotError('BAD_INPUT', `${what} does not exist; check the path.`);
  }
  throw new DepotError('BAD_INPUT', `${what} is not a folder; check the path.`);
}

async function createFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    if (!hasErrorCode(error, 'EEXIST') && !hasErrorCode(error, 'ENOTDIR')) throw error;
    throw new DepotError(
      'BAD_INPUT',
      `The models folder ${dir} cannot be created: a file is in the way. Use --models DIR.`,
    );
  }
}
