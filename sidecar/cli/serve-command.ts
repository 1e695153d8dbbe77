import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { VERSION } from '../version';
import { createDepot } from '../services/create-depot';
import { createServer } from '../server/create-server';

interface ServeFlags {
  port?: string;
  host?: string;
  limit?: string | false;
  comfyui?: string;
}

// Skeleton: the CLI context (config, hub dirs, env) of owner A is wired in once it lands.
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the sidecar: HTTP + WebSocket for the ComfyUI extension')
    .option('--port <port>', 'port to listen on (default 8190)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--limit <kbps>', 'bandwidth cap in KB/s')
    .option('--no-limit', 'no bandwidth cap')
    .option('--comfyui <dir>', 'use DIR/models and install the extension into DIR/custom_nodes')
    .action(async (flags: ServeFlags) => {
      const global = program.opts<{ models?: string }>();
      const modelsRoot = path.resolve(global.models ?? (flags.comfyui ? path.join(flags.comfyui, 'models') : 'models'));
      await mkdir(modelsRoot, { recursive: true });
      const depot = await createDepot({ modelsRoot });
      const server = await createServer({
        depot,
        host: flags.host ?? '127.0.0.1',
        port: flags.port === undefined ? 8190 : Number(flags.port),
        version: VERSION,
      });
      process.stdout.write(`model-depot ${VERSION} serving ${server.url} (models: ${modelsRoot})\n`);
      const stop = async (): Promise<void> => {
        await server.close();
        await depot.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
    });
}
