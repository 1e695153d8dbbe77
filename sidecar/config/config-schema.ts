import { z } from 'zod';

/** Written into a new config file: the file explains itself. */
export const CONFIG_COMMENT =
  'model-depot settings. Edit and restart; command-line flags override these. ' +
  'models_directory: where models go (relative to the folder you start model-depot in). ' +
  'hub_directories: folders of models to link from instead of downloading ([] for none). ' +
  'bandwidth_limit_kb: download cap in KB/s, null for none. ' +
  'port/host: where the sidecar listens. parallel_downloads: downloads at once. ' +
  'connections_per_file: connections a large file is fetched over. ' +
  'download_timeout_seconds: how long a download may wait to connect, for its first byte and between bytes ' +
  '(null: HF_HUB_DOWNLOAD_TIMEOUT, else 10 s to connect, 30 s for a first byte, 60 s between bytes). ' +
  'allowed_origins: the ComfyUI pages that may use the sidecar. ' +
  'allowed_hosts: host names (no port) the sidecar answers to besides 127.0.0.1/localhost, for a ComfyUI on the LAN ' +
  '(with host 0.0.0.0). Tokens are never stored here.';

/** ComfyUI-Manager's model list: the catalog most ComfyUI users already rely on for known model URLs. */
export const MANAGER_MODEL_LIST_URL =
  'https://raw.githubusercontent.com/Comfy-Org/ComfyUI-Manager/main/model-list.json';
export const DEFAULT_CATALOGS: readonly string[] = [MANAGER_MODEL_LIST_URL];

export const DEFAULT_ALLOWED_ORIGINS = ['http://127.0.0.1:8188', 'http://localhost:8188'];

/**
 * A name a client may put in `Host` (without the port): a DNS name, an IPv4 address or an IPv6 address (brackets
 * optional). No scheme, port, path or wildcard: each name is one the person chose to serve.
 */
const zAllowedHost = z
  .string()
  // A DNS name or IPv4 address, or an IPv6 address (at least two colons, so `name:8188` is refused), bracketed or not.
  .regex(
    /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[?[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*\]?)$/,
    {
      message: 'not a host name (no scheme, port or path)',
    },
  )
  .refine((name) => !['0.0.0.0', '::', '[::]'].includes(name), { message: 'a bind-all address is not a host name' });

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
    /** The WanGP downloader's single hub folder ("" disables it); still read, and added to `hub_directories`. */
    hub_directory: z.string().optional(),
    bandwidth_limit_kb: z.number().positive().nullable().default(null),
    port: z.number().int().min(1).max(65535).default(8190),
    host: z.string().min(1).default('127.0.0.1'),
    parallel_downloads: z.number().int().min(1).max(16).default(3),
    /** Ranged connections one large file (64 MiB or more, size known) is fetched over; 1 for one. Default 8. */
    connections_per_file: z.number().int().min(1).max(16).default(8),
    /**
     * Seconds a download may wait for each phase: connecting, the first byte of an answer, the next byte of a body.
     * HF_HUB_DOWNLOAD_TIMEOUT, when set, wins. Default null: 10 s to connect, 30 s for a first byte, 60 s between bytes.
     */
    download_timeout_seconds: z.number().positive().nullable().default(null),
    allowed_origins: z.array(z.string().url()).default(DEFAULT_ALLOWED_ORIGINS),
    /**
     * Host names the sidecar answers to besides loopback (`Host` header, DNS-rebinding protection), e.g. its LAN
     * name or address when `host` is 0.0.0.0 and ComfyUI runs on another machine. Default none.
     */
    allowed_hosts: z.array(zAllowedHost).default([]),
    /**
     * Catalogs of known models (files, or URLs fetched by `model-depot catalog update`), asked for the URL of a
     * model a workflow names without one. Default: ComfyUI-Manager's published model list.
     */
    catalogs: z.array(z.string().min(1)).default([...DEFAULT_CATALOGS]),
    /**
     * A proxy for every request (`http://host:port`), used over HTTP_PROXY/HTTPS_PROXY; NO_PROXY still applies.
     * Default none: the environment's proxy variables, else direct.
     */
    proxy: z.string().url().optional(),
    /**
     * The WanGP downloader's key: WanGP's ckpts folder (or WanGP's own folder), whose models `model-depot wangp` and
     * `model-depot tui` list and install. "" or left out: none.
     */
    wan2gp_directory: z.string().optional(),
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
  connections_per_file: 'a whole number from 1 to 16, such as 8 (1 for one connection per file)',
  download_timeout_seconds: 'a positive number of seconds, such as 30, or null for the defaults',
  allowed_origins: 'a list of page origins, such as ["http://127.0.0.1:8188"]',
  allowed_hosts: 'a list of host names or addresses without port, such as ["depot.lan", "192.168.1.20"], or []',
  catalogs: 'a list of catalog files or URLs, such as ["./model-list.json"], or []',
  proxy: 'a proxy URL such as "http://proxy.example:3128" (its password, if any, is never printed)',
  wan2gp_directory: 'a folder path: WanGP\'s ckpts folder (or WanGP\'s own), such as "/opt/Wan2GP/ckpts", or ""',
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
    catalog: z.array(z.string()).default([]),
    json: z.boolean().default(false),
    quiet: z.boolean().default(false),
    offline: z.boolean().default(false),
    comfyui: z.string().min(1).optional(),
    /** `--wan2gp DIR`: a WanGP install or its ckpts folder; overrides the config's `wan2gp_directory`. */
    wan2gp: z.string().min(1).optional(),
  })
  .passthrough();

export type GlobalCliOptions = z.infer<typeof zGlobalCliOptions>;
