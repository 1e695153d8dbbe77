import { z } from 'zod';

/** Close codes of ComfyUI's custom node: the sidecar refused it, or is not running (4000-4999 are the application's). */
export const CLOSE_REFUSED = 4403;
export const CLOSE_NOT_RUNNING = 4503;

/** Why a connection failed: the sidecar answered but refused it, or nothing answered. `detail` says what to do. */
export type SidecarDiagnosis = { kind: 'refused'; detail: string } | { kind: 'not-running'; detail?: string };

export interface DiagnoseSidecarOptions {
  /** The WebSocket URL that failed. */
  socketUrl: string;
  /** The page's origin: the answer of a same-origin `/health` can be read, another origin's only seen to exist. */
  pageOrigin: string | undefined;
  /** The failed socket's close code and reason (ComfyUI's custom node closes with CLOSE_REFUSED or CLOSE_NOT_RUNNING). */
  closeCode?: number;
  closeReason?: string;
  /** The browser's fetch; without one, only the close code tells. */
  fetch?: typeof fetch;
  /** How long `/health` may take. Default 5000 ms. */
  timeoutMs?: number;
}

const zErrorAnswer = z.object({ error: z.object({ code: z.string(), message: z.string().min(1).max(2000) }) });

/**
 * Tells a sidecar that refused the connection from one that is not running, by asking `/health` next to the socket.
 * Through ComfyUI (same origin) the answer is read: the custom node says exactly what to run or change. A direct URL
 * on another origin cannot be read without CORS, which the sidecar grants only to allowed origins, so a `no-cors`
 * request only shows whether anything answered: if it did, the sidecar is up and refused this page.
 */
export async function diagnoseSidecar(options: DiagnoseSidecarOptions): Promise<SidecarDiagnosis> {
  const fromClose = diagnosisFromClose(options.closeCode, options.closeReason);
  const health = healthUrl(options.socketUrl);
  if (health === undefined || options.fetch === undefined) return fromClose ?? { kind: 'not-running' };
  const signal = AbortSignal.timeout(options.timeoutMs ?? 5000);
  if (health.origin === options.pageOrigin) {
    let answer: Response;
    try {
      answer = await options.fetch(health.href, { cache: 'no-store', credentials: 'same-origin', signal });
    } catch {
      return fromClose ?? { kind: 'not-running' };
    }
    const message = await errorMessageOf(answer);
    if (answer.status === 403) {
      return { kind: 'refused', detail: message ?? 'The sidecar refused ComfyUI; its log says why.' };
    }
    if (answer.status === 404) return { kind: 'not-running', detail: NOT_FORWARDED };
    if (answer.ok)
      return fromClose?.kind === 'refused' ? fromClose : socketBlocked(options.socketUrl, options.closeCode);
    return { kind: 'not-running', ...(message === undefined ? {} : { detail: message }) };
  }
  try {
    await options.fetch(health.href, { mode: 'no-cors', cache: 'no-store', credentials: 'omit', signal });
  } catch {
    return { kind: 'not-running' };
  }
  return { kind: 'refused', detail: refusedDirectly(health, options.pageOrigin) };
}

const NOT_FORWARDED =
  'ComfyUI does not forward /model-depot/ to the sidecar: the model-depot custom node is missing, or ComfyUI was not ' +
  'restarted since it was installed. Run `model-depot comfyui-install --comfyui <ComfyUI folder>` and restart ' +
  'ComfyUI, or set the sidecar URL in Settings > Model Depot.';

function diagnosisFromClose(code: number | undefined, reason: string | undefined): SidecarDiagnosis | undefined {
  if (code === CLOSE_REFUSED) return { kind: 'refused', detail: reason || 'The sidecar refused the connection.' };
  if (code === CLOSE_NOT_RUNNING) return { kind: 'not-running' };
  return undefined;
}

/** `/health` beside the socket: `ws://h:p/ws` -> `http://h:p/health`, `wss://h/model-depot/ws` -> `https://h/model-depot/health`. */
function healthUrl(socketUrl: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(socketUrl);
  } catch {
    return undefined;
  }
  const scheme = { 'ws:': 'http:', 'wss:': 'https:', 'http:': 'http:', 'https:': 'https:' }[url.protocol];
  if (scheme === undefined) return undefined;
  return new URL(`${scheme}//${url.host}${url.pathname.replace(/\/ws\/?$/, '')}/health`);
}

async function errorMessageOf(answer: Response): Promise<string | undefined> {
  try {
    const parsed = zErrorAnswer.safeParse(await answer.json());
    return parsed.success ? parsed.data.error.message : undefined;
  } catch {
    return undefined;
  }
}

function socketBlocked(socketUrl: string, closeCode: number | undefined): SidecarDiagnosis {
  const code = closeCode === undefined ? '' : ` (close code ${closeCode})`;
  return {
    kind: 'refused',
    detail:
      `The sidecar answers over HTTP, but the WebSocket ${socketUrl} failed${code}. ` +
      'If a reverse proxy stands in front of ComfyUI, let it pass WebSocket upgrades.',
  };
}

function refusedDirectly(health: URL, pageOrigin: string | undefined): string {
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(health.hostname);
  const page = pageOrigin === undefined || pageOrigin === 'null' ? 'this page' : `"${pageOrigin}"`;
  const hostAdvice = loopback ? '' : ` and "${health.hostname}" to allowed_hosts`;
  return (
    `The sidecar at ${health.origin} is running but refused this page. Add ${page} to allowed_origins${hostAdvice} ` +
    "in model-depot's config and restart the sidecar, or leave the sidecar URL in Settings > Model Depot empty " +
    'to connect through ComfyUI.'
  );
}
