import type { Command } from 'commander';
import { DepotError, hasErrorCode } from '../../shared/errors';
import { VERSION } from '../version';
import { createServer, type DepotServer } from '../server/create-server';
import { installComfyuiExtension } from '../services/comfyui/install-comfyui-extension';
import { resolveCliContext } from './cli-context';
import { loadCliCatalogs } from './catalog/cli-catalogs';
import { createCliDepot } from './create-cli-depot';
import { parseLimitFlag } from './parse-limit-flag';
import { runAction } from './run-action';
import { createLogger } from '../runtime/logger';

interface ServeFlags {
  port?: string;
  host?: string;
  limit?: string | boolean;
  connections?: string;
  comfyui?: string;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the sidecar: HTTP + WebSocket for the ComfyUI extension')
    .option('--port <port>', 'port to listen on (default: the config, 8190)')
    .option('--host <host>', 'address to bind (default: the config, 127.0.0.1)')
    .option('--limit <kbps>', 'bandwidth cap in KB/s (default: the config)')
    .option('--no-limit', 'no bandwidth cap')
    .option('--connections <n>', 'connections per large file, 1 to 16 (default: the config, 8)')
    .option('--comfyui <dir>', 'use DIR/models and install the extension into DIR/custom_nodes')
    .action(runAction(async (flags: ServeFlags, command: Command) => serveAction(flags, command)));
}

async function serveAction(flags: ServeFlags, command: Command): Promise<void> {
  const port = parsePort(flags.port);
  const limit = parseLimitFlag(flags.limit);
  const ctx = await resolveCliContext(command);
  let server: DepotServer | undefined;
  // The environment's tokens, and every token a client hands over while the depot may hold it, are cut out of every
  // log line by value: a plain Civitai key matches none of the logger's patterns.
  const envTokens = [ctx.env.hfToken, ctx.env.civitaiToken].filter((t): t is string => t !== undefined && t !== '');
  const logger = createLogger({
    level: ctx.quiet ? 'warn' : 'info',
    secrets: () => [...envTokens, ...(server?.heldTokens() ?? [])],
  });
  // The config's catalogs (and --catalog) answer the extension's checks; `catalog update` needs a restart to show.
  const { catalogs } = await loadCliCatalogs(ctx, command);
  const depot = await createCliDepot(ctx, {
    catalogs,
    logger,
    limitKbps: limit === undefined ? ctx.config.bandwidth_limit_kb : limit,
    indexInBackground: true,
    connections: flags.connections,
  });
  try {
    server = await createServer({
      depot,
      host: flags.host ?? ctx.config.host,
      port: port ?? ctx.config.port,
      allowedOrigins: ctx.config.allowed_origins,
      extraHosts: ctx.config.allowed_hosts,
      version: VERSION,
      logger,
      configFile: ctx.configFile,
    });
  } catch (error) {
    await depot.close();
    throw listenError(error, port ?? ctx.config.port);
  }
  const log = (line: string): void => {
    if (!ctx.quiet) process.stderr.write(`${line}\n`);
  };
  log(`model-depot ${VERSION} serving ${server.url} (models: ${ctx.modelsRoot}; config: ${ctx.configFile})`);
  if (ctx.comfyuiDir) log(await installExtension(ctx.comfyuiDir));
  depot.on('jobDone', (job) =>
    logger.info('job done', { job: job.id, file: job.targetPath, state: job.state, bytes: job.bytes }),
  );
  depot.on('jobFailed', (job) =>
    logger.warn('job failed', { job: job.id, file: job.targetPath, state: job.state, code: job.error?.code }),
  );
  depot.indexed.then(
    (summary) => log(`indexed ${summary.files} model files in hub folders and the HuggingFace cache`),
    () => undefined,
  );

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping (partial downloads are kept and resume next time)`);
    await server?.close();
    await depot.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new DepotError('BAD_INPUT', `--port takes a port number from 0 to 65535, such as 8190; got "${value}".`);
  }
  return port;
}

function listenError(error: unknown, port: number): unknown {
  if (hasErrorCode(error, 'EADDRINUSE')) {
    return new DepotError('IO', `Port ${port} is already in use (another sidecar?). Stop it, or use --port.`, {
      cause: error,
    });
  }
  return error;
}

/** The frontend extension into ComfyUI's custom_nodes; a failure is reported, not fatal. */
async function installExtension(comfyuiDir: string): Promise<string> {
  try {
    const installed = await installComfyuiExtension({ comfyuiDir });
    return `extension ${installed.replaced ? 'updated' : 'installed'} in ${installed.target}; restart ComfyUI to load it`;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `extension NOT installed into ${comfyuiDir}/custom_nodes (${reason}); run model-depot comfyui-install --comfyui ${comfyuiDir}`;
  }
}
