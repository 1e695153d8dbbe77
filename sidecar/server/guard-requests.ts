import type { NextFunction, Request, Response } from 'express';
import { DepotError } from '../../shared/errors';
import { judgeAccess } from './judge-access';
import type { OriginGuard } from './origin-guard';
import type { ProxyKey } from './proxy-key';
import type { RefusalLog } from './refusal-log';
import { sendError } from './send-error';

export interface GuardRequestsOptions {
  guard: OriginGuard;
  /** The listening port, read per request (known only after `listen`). */
  port: () => number;
  /** The key of ComfyUI's custom node; undefined when it could not be written (forwarded requests are then refused). */
  proxyKey: ProxyKey | undefined;
  /** Told of every refusal. */
  logRefusal: RefusalLog;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Express middleware: serves a request forwarded by ComfyUI's custom node (under `/model-depot/`, with its key) as if
 * it came to the route without the prefix; for any other request refuses a foreign `Host` on every request and a
 * foreign `Origin` on every state-changing request and preflight, and sends CORS headers only to allowed origins.
 */
export function guardRequests(options: GuardRequestsOptions) {
  const { guard } = options;
  return (req: Request, res: Response, next: NextFunction): void => {
    const access = judgeAccess({
      url: req.url,
      headers: req.headers,
      guard,
      proxyKey: options.proxyKey,
      port: options.port(),
      checkOrigin: req.method === 'OPTIONS' || !SAFE_METHODS.has(req.method),
    });
    if (!access.allowed) {
      options.logRefusal(access.refusal, { method: req.method, url: req.url, via: 'http' });
      sendError(res, new DepotError('ORIGIN_REFUSED', access.refusal.message));
      return;
    }
    if (access.forwarded) {
      // Same-origin for the browser (ComfyUI's page): no CORS headers, and the routes see their own paths.
      req.url = access.url;
      next();
      return;
    }
    const origin = req.headers.origin;
    if (guard.isListedOrigin(origin) && origin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
