import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import { DepotError } from '../../shared/errors';
import type { Depot } from '../services/depot/create-depot';
import { createLogger, type Logger } from '../runtime/logger';
import { createGivenTokens } from './given-tokens';
import { createOriginGuard } from './origin-guard';
import { guardRequests } from './guard-requests';
import { PROXY_KEY_HEADER, writeProxyKey, type ProxyKey } from './proxy-key';
import { type SidecarFile, writeSidecarFile } from './sidecar-file';
import { createRefusalLog } from './refusal-log';
import { routesModels } from './routes-models';
import { sendError } from './send-error';
import { createWsHub } from './ws-hub';

export interface CreateServerOptions {
  /** The composition root every route and the WebSocket hub call. Not closed by `server.close()`. */
  depot: Depot;
  /** Address to bind. Default `127.0.0.1`: only this machine can connect. */
  host?: string;
  /** Port to listen on; 0 picks a free one (tests). Default 8190. */
  port?: number;
  /** Origins allowed to drive the sidecar (config `allowed_origins`). Default ComfyUI's two local origins. */
  allowedOrigins?: readonly string[];
  /**
   * Further host names (no port) accepted in `Host` besides loopback and `host`: config `allowed_hosts`, for a
   * ComfyUI on the LAN reaching a sidecar bound to `0.0.0.0`. Default none.
   */
  extraHosts?: readonly string[];
  /** Reported by `GET /health` and the WebSocket `hello`. */
  version: string;
  /** Largest JSON body and WebSocket message, in bytes. Default 20 MiB (a big workflow is a few MB). */
  maxBodyBytes?: number;
  /** Least time between two `progress` messages of one job over the WebSocket. Default 250 ms. */
  progressIntervalMs?: number;
  /**
   * Where the key that ComfyUI's custom node proves itself with is written (mode 0600, a new key at every start).
   * Default `$MODEL_DEPOT_KEY_FILE`, else `<models root>/.registry/sidecar-key`, where the custom node looks.
   */
  proxyKeyFile?: string;
  /**
   * Where the sidecar says which process serves the models folder and on which port (written once it listens,
   * removed at close), for the CLI to work through it. Default `<models root>/.registry/sidecar.json`.
   */
  sidecarFile?: string;
  /** Where refusals (and a key file that could not be written) are logged, as warnings. Default a logger on stderr. */
  logger?: Logger;
  /** The config file the refusal log names as the place to change allowed_origins / allowed_hosts. Default none. */
  configFile?: string;
}

export interface DepotServer {
  /** `http://host:port`, with the real port. */
  url: string;
  port: number;
  host: string;
  /**
   * The tokens clients handed over through this server that the depot's vault may still hold (see GivenTokens): for
   * the logger's `secrets`, never to be printed or sent.
   */
  heldTokens(): string[];
  /** Stops accepting, closes WebSockets and open connections. The depot stays open (its owner closes it). */
  close(): Promise<void>;
}

export const DEFAULT_ALLOWED_ORIGINS = ['http://127.0.0.1:8188', 'http://localhost:8188'] as const;

/** Starts the sidecar's HTTP + WebSocket server on one port and resolves once it listens. */
export async function createServer(options: CreateServerOptions): Promise<DepotServer> {
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 20 * 1024 * 1024;
  const guard = createOriginGuard({
    allowedOrigins: options.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS,
    host,
    extraHosts: options.extraHosts,
  });
  let port = options.port ?? 8190;
  const logger = options.logger ?? createLogger({ level: 'warn' });
  const logRefusal = createRefusalLog({ logger, configFile: options.configFile });
  const proxyKey = await openProxyKey(options, logger);
  const givenTokens = createGivenTokens({ depot: options.depot });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(guardRequests({ guard, port: () => port, proxyKey, logRefusal }));
  // Any content type is parsed as JSON so `curl -d @workflow.json` works; Origin checks, not content types, stop
  // cross-site posts.
  app.use(express.json({ limit: maxBodyBytes, type: () => true, strict: false }));
  app.get('/health', (req, res) => {
    // The folder is told only to a process that read the key beside it (the CLI, ComfyUI's custom node): a web page
    // learns nothing about this machine's paths.
    const keyed = proxyKey?.matches(req.headers[PROXY_KEY_HEADER]) === true;
    res.json({ ok: true, version: options.version, ...(keyed ? { modelsRoot: options.depot.modelsRoot } : {}) });
  });
  app.use(routesModels(options.depot, givenTokens));
  app.use((req: Request) => {
    throw new DepotError(
      'NOT_FOUND',
      `No route ${req.method} ${req.path}. The routes are GET /health, POST /models/check-dependencies, POST /models/download, GET /models/jobs, GET|DELETE /models/jobs/:id, GET /models/stats, GET /models, POST /models/migrate and the WebSocket /ws.`,
    );
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const parserError = bodyParserError(error, maxBodyBytes);
    if (parserError) sendError(res, parserError.error, parserError.status);
    else sendError(res, error);
  });

  const server = http.createServer(app);
  const hub = createWsHub({
    depot: options.depot,
    guard,
    givenTokens,
    version: options.version,
    port: () => port,
    proxyKey,
    logRefusal,
    maxMessageBytes: maxBodyBytes,
    progressIntervalMs: options.progressIntervalMs,
  });
  server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // The port was taken: nothing may keep listening to the depot, which the caller closes.
    await hub.close();
    givenTokens.close();
    await proxyKey?.remove();
    throw error;
  }
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost === '0.0.0.0' ? '127.0.0.1' : urlHost}:${port}`;
  const sidecarFile = await announce(options, new URL(url).hostname, port, logger);

  return {
    url,
    port,
    host,
    heldTokens: () => givenTokens.current(),
    async close() {
      await hub.close();
      givenTokens.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await sidecarFile?.remove();
      await proxyKey?.remove();
    },
  };
}

/**
 * Writes the custom node's key. A sidecar that cannot write it still serves browsers and the CLI directly; only the
 * forwarding through ComfyUI is refused, and the log says why.
 */
async function openProxyKey(options: CreateServerOptions, logger: Logger): Promise<ProxyKey | undefined> {
  const file =
    options.proxyKeyFile ??
    (process.env.MODEL_DEPOT_KEY_FILE || undefined) ??
    path.join(options.depot.modelsRoot, '.registry', 'sidecar-key');
  try {
    return await writeProxyKey({ file });
  } catch (error) {
    logger.warn(
      `could not write the key for ComfyUI's custom node to ${file}; requests forwarded by ComfyUI will be refused ` +
        '(set MODEL_DEPOT_KEY_FILE to a writable file, for the sidecar and ComfyUI alike)',
      { error },
    );
    return undefined;
  }
}

/**
 * Says that this process serves the models folder, and where. Without the file the CLI cannot find the sidecar and is
 * refused by the registry lock, as before; the log says why.
 */
async function announce(
  options: CreateServerOptions,
  host: string,
  port: number,
  logger: Logger,
): Promise<SidecarFile | undefined> {
  const modelsRoot = options.depot.modelsRoot;
  const file = options.sidecarFile ?? path.join(modelsRoot, '.registry', 'sidecar.json');
  try {
    return await writeSidecarFile({
      file,
      content: { pid: process.pid, host, port, modelsRoot, version: options.version },
    });
  } catch (error) {
    logger.warn(`could not write ${file}; model-depot commands on this models folder cannot use this sidecar`, {
      error,
    });
    return undefined;
  }
}

/** body-parser's errors as DepotErrors: a person learns the limit, or where the JSON broke. */
function bodyParserError(error: unknown, maxBodyBytes: number): { error: DepotError; status: number } | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  if (error.type === 'entity.too.large') {
    const mb = Math.round(maxBodyBytes / (1024 * 1024));
    const message = `Request body is over ${mb} MB; a workflow that big is not supported.`;
    return { error: new DepotError('BAD_INPUT', message), status: 413 };
  }
  if (error.type === 'entity.parse.failed') {
    // JSON.parse's own message quotes the body, which may hold a token: keep only the position.
    const text = error instanceof Error ? error.message : '';
    const position = /position (\d+)/.exec(text)?.[1];
    const where = position === undefined ? '' : ` (near byte ${position})`;
    return { error: new DepotError('BAD_INPUT', `Request body is not valid JSON${where}.`), status: 400 };
  }
  if (error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') {
    return { error: new DepotError('BAD_INPUT', 'Request body must be UTF-8 JSON.'), status: 415 };
  }
  return undefined;
}
