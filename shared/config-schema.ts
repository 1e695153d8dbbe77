import { z } from 'zod';

/** Written into a new config file: the file explains itself (seed 001). */
export const CONFIG_COMMENT =
  'model-depot settings. Edit and restart; command-line flags override these. ' +
  'models_directory: where models go (relative to the folder you start model-depot in). ' +
  'hub_directories: folders of models to link from instead of downloading ([] for none). ' +
  'bandwidth_limit_kb: download cap in KB/s, null for none. ' +
  'port/host: where the sidecar listens. parallel_downloads: downloads at once. ' +
  'allowed_origins: the ComfyUI pages that may use the sidecar. Tokens are never stored here.';

export const DEFAULT_ALLOWED_ORIGINS = ['http://127.0.0.1:8188', 'http://localhost:8188'];

/**
 * The config file (`config.json` in the user's config folder, or `--config FILE`). Every key may be left out and
 * gets its default; keys starting with `_` are comments; any other unknown key is refused (a typo would otherwise be
 * silently ignored).
 */
export const zConfig = z
  .object({
    _comment: z.string().default(CONFIG_COMMENT),
    models_directory: z.string().min(1).default('./models'),
    hub_directories: z.array(z.string()).default([]),
    /** Seed 001's single hub folder ("" disables it); still read, and added to `hub_directories`. */
    hub_directory: z.string().optional(),
    bandwidth_limit_kb: z.number().positive().nullable().default(null),
    port: z.number().int().min(1).max(65535).default(8190),
    host: z.string().min(1).default('127.0.0.1'),
    parallel_downloads: z.number().int().min(1).max(16).default(3),
    allowed_origins: z.array(z.string().url()).default(DEFAULT_ALLOWED_ORIGINS),
  })
  .catchall(z.unknown());

export type Config = z.infer<typeof zConfig>;

/** What each key must hold, for error messages a person can act on. */
export const CONFIG_KEY_HINTS: Readonly<Record<string, string>> = {
  _comment: 'a string (a note for people; ignored)',
  models_directory: 'a folder path, such as "./models"',
  hub_directories: 'a list of folder paths, such as ["/mnt/hub/models"], or []',
  hub_directory: 'a folder path, or "" for none (prefer hub_directories)',
  bandwidth_limit_kb: 'a positive number of KB/s, such as 90000, or null for no limit',
  port: 'a port number from 1 to 65535, such as 8190',
  host: 'an address to listen on, such as "127.0.0.1"',
  parallel_downloads: 'a whole number from 1 to 16, such as 3',
  allowed_origins: 'a list of page origins, such as ["http://127.0.0.1:8188"]',
};

/**
 * The global options every command reads (`--models`, `--config`, `--hub-dir`, `--json`, `--quiet`) plus
 * `--comfyui` on the commands that have it; other options of a command pass through.
 */
export const zGlobalCliOptions = z
  .object({
    models: z.string().min(1).optional(),
    config: z.string().min(1).optional(),
    hubDir: z.array(z.string()).default([]),
    json: z.boolean().default(false),
    quiet: z.boolean().default(false),
    comfyui: z.string().min(1).optional(),
  })
  .passthrough();

export type GlobalCliOptions = z.infer<typeof zGlobalCliOptions>;
