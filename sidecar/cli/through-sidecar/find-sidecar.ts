import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { errorCodeOf, hasErrorCode } from '../../../shared/errors';
import { zHealthResponse } from '../../server/http-api';
import { PROXY_KEY_HEADER } from '../../server/proxy-key';
import { zSidecarFile } from '../../server/sidecar-file';
import { parseJsonText } from '../../runtime/parse-json-text';
import type { CliContext } from '../cli-context';

/** What answers at the port when the sidecar named there is gone: nobody, or a program that does not speak HTTP. */
const NOT_A_SIDECAR = /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|EADDRNOTAVAIL|UND_ERR_)/;

/** A running sidecar that serves the models folder of a command, and the key its requests prove themselves with. */
export interface SidecarConnection {
  /** `http://host:port`. */
  url: string;
  /** The models root it serves (the command's own). */
  modelsRoot: string;
  /** Headers every request sends: the key of `<models root>/.registry/sidecar-key`. Never printed. */
  headers: Readonly<Record<string, string>>;
}

export interface FindSidecarOptions {
  /** The command's models root (absolute). */
  modelsRoot: string;
  /** MODEL_DEPOT_KEY_FILE, when set: where the sidecar wrote its key instead of the models folder. */
  keyFile?: string;
  /** ms the `/health` question may take. Default 2000. */
  timeoutMs?: number;
}

/**
 * The sidecar serving `modelsRoot`, when one runs: its `sidecar.json` names a live process, and that process answers
 * `/health` with the same models root to a request that carries the key. Anything else (no file, a dead pid, a stale
 * port, another folder) is no sidecar: the command then works alone, as before.
 */
export async function findSidecar(options: FindSidecarOptions): Promise<SidecarConnection | undefined> {
  const modelsRoot = path.resolve(options.modelsRoot);
  const registryDir = path.join(modelsRoot, '.registry');
  const announcement = await readIfThere(path.join(registryDir, 'sidecar.json'));
  const announced = zSidecarFile.safeParse(announcement === undefined ? undefined : parseJsonText(announcement));
  if (!announced.success || !isAlive(announced.data.pid)) return undefined;
  const key = (await readIfThere(options.keyFile ?? path.join(registryDir, 'sidecar-key')))?.trim();
  if (!key) return undefined;
  const url = `http://${announced.data.host}:${announced.data.port}`;
  const headers = { [PROXY_KEY_HEADER]: key };
  const timeoutMs = options.timeoutMs ?? 2000;
  let body: unknown;
  try {
    // undici loads only when a sidecar file names one: commands beside no sidecar start without it.
    const { request } = await import('./load-request');
    const answer = await request(`${url}/health`, { headers, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    body = parseJsonText(await answer.body.text());
    if (answer.statusCode !== 200) return undefined;
  } catch (error) {
    // A sidecar.json left by a killed sidecar names a port nobody (or another program) listens on.
    if (NOT_A_SIDECAR.test(errorCodeOf(error) ?? '')) return undefined;
    throw error;
  }
  const health = zHealthResponse.safeParse(body);
  if (!health.success || health.data.modelsRoot === undefined) return undefined;
  if (path.resolve(health.data.modelsRoot) !== modelsRoot) return undefined;
  return { url, modelsRoot, headers };
}

async function readIfThere(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT') || hasErrorCode(error, 'ENOTDIR')) return undefined;
    throw error;
  }
}

/** Signal 0 asks only whether the process exists; EPERM means it does (another user's). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return hasErrorCode(error, 'EPERM');
  }
}

/** The sidecar serving a command's models folder, if any (MODEL_DEPOT_KEY_FILE names its key, as for the sidecar). */
export function findCommandSidecar(ctx: Pick<CliContext, 'modelsRoot'>): Promise<SidecarConnection | undefined> {
  return findSidecar({ modelsRoot: ctx.modelsRoot, keyFile: process.env.MODEL_DEPOT_KEY_FILE || undefined });
}
