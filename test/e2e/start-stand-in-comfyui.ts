import { hasErrorCode } from '../../shared/errors';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const STAND_IN_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'stand-in');

/** ComfyUI's public shims: modules over the app object the page set up. */
const SHIMS: Record<string, string> = {
  '/scripts/app.js': 'const app = window.comfyAPI.app.app;\nexport { app };\n',
  '/scripts/api.js': 'const api = window.comfyAPI.api.api;\nexport { api };\n',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

export interface StandInComfyuiOptions {
  /** A ComfyUI folder whose custom_nodes/*\/ web directories are served the way ComfyUI serves them. */
  comfyuiDir: string;
  /** What GET /api/settings answers (ComfyUI keeps settings on its server); read at each request. */
  settings?: () => Record<string, unknown>;
}

export interface StandInComfyui {
  /** http://127.0.0.1:port/ */
  url: string;
  /** http://127.0.0.1:port, the Origin its pages send. */
  origin: string;
  close(): Promise<void>;
}

/**
 * A loopback stand-in for ComfyUI's web server: the stand-in page, the `/scripts/*.js` shims, `GET /api/extensions`
 * listing every .js under each custom node's WEB_DIRECTORY, and `/extensions/<node>/<file>` serving them.
 */
export async function startStandInComfyui(options: StandInComfyuiOptions): Promise<StandInComfyui> {
  const webDirs = await findWebDirectories(options.comfyuiDir);
  const server = http.createServer((req, res) => {
    handle(req.url ?? '/', webDirs, options.settings?.() ?? {}, options.comfyuiDir).then(
      ({ status, type, body }) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(error instanceof Error ? error.message : String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Answer {
  status: number;
  type: string;
  body: string | Buffer;
}

async function handle(
  rawUrl: string,
  webDirs: Map<string, string>,
  settings: Record<string, unknown>,
  comfyuiDir: string,
): Promise<Answer> {
  const { pathname } = new URL(rawUrl, 'http://stand-in');
  if (pathname === '/') return file(path.join(STAND_IN_DIR, 'index.html'));
  if (pathname === '/favicon.ico') return { status: 204, type: 'text/plain', body: '' };
  if (pathname in SHIMS) return { status: 200, type: TYPES['.js'], body: SHIMS[pathname] };
  if (pathname === '/api/settings') return { status: 200, type: TYPES['.json'], body: JSON.stringify(settings) };
  if (pathname === '/api/extensions') {
    const urls: string[] = [];
    for (const [name, dir] of webDirs) {
      for (const entry of await readdir(dir, { recursive: true })) {
        if (entry.endsWith('.js')) urls.push(`/extensions/${name}/${entry.split(path.sep).join('/')}`);
      }
    }
    return { status: 200, type: TYPES['.json'], body: JSON.stringify(urls) };
  }
  const models = /^\/api\/experiment\/models\/([a-z_]+)$/.exec(pathname);
  if (models?.[1]) return modelList(path.join(comfyuiDir, 'models', models[1]));
  if (pathname.startsWith('/stand-in/')) return inside(STAND_IN_DIR, pathname.slice('/stand-in/'.length));
  const match = /^\/extensions\/([^/]+)\/(.+)$/.exec(pathname);
  const dir = match ? webDirs.get(decodeURIComponent(match[1])) : undefined;
  if (match && dir) return inside(dir, decodeURIComponent(match[2]));
  return { status: 404, type: 'text/plain', body: 'not found' };
}

/** ComfyUI's model list of one folder (`GET /api/experiment/models/{folder}`): names relative to the folder. */
async function modelList(folder: string): Promise<Answer> {
  let entries: string[];
  try {
    entries = await readdir(folder, { recursive: true });
  } catch (error) {
    if (!hasErrorCode(error, 'ENOENT')) throw error;
    entries = [];
  }
  const names = entries.filter((entry) => /\.(safetensors|ckpt|pt|pth|bin|sft)$/.test(entry)).sort();
  const body = names.map((name) => ({ name: name.split(path.sep).join('/'), pathIndex: 0 }));
  return { status: 200, type: TYPES['.json'], body: JSON.stringify(body) };
}

async function inside(root: string, relative: string): Promise<Answer> {
  const full = path.resolve(root, relative);
  if (!full.startsWith(root + path.sep)) return { status: 403, type: 'text/plain', body: 'outside' };
  return file(full);
}

async function file(full: string): Promise<Answer> {
  const body = await readIfPresent(full);
  if (body === undefined) return { status: 404, type: 'text/plain', body: 'not found' };
  return { status: 200, type: TYPES[path.extname(full)] ?? 'application/octet-stream', body };
}

async function readIfPresent(full: string): Promise<Buffer | undefined> {
  try {
    return await readFile(full);
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'EISDIR') || hasErrorCode(error, 'ENOTDIR'))
      return undefined;
    throw error;
  }
}

/** ComfyUI reads WEB_DIRECTORY from each custom node's __init__.py; this stand-in reads the same assignment. */
async function findWebDirectories(comfyuiDir: string): Promise<Map<string, string>> {
  const customNodes = path.join(comfyuiDir, 'custom_nodes');
  const found = new Map<string, string>();
  for (const name of await readdir(customNodes)) {
    const init = (await readIfPresent(path.join(customNodes, name, '__init__.py')))?.toString('utf8') ?? '';
    const web = /^WEB_DIRECTORY\s*=\s*["']([^"']+)["']/m.exec(init)?.[1];
    if (!web) continue;
    const dir = path.resolve(customNodes, name, web);
    if ((await stat(dir)).isDirectory()) found.set(name, dir);
  }
  return found;
}
