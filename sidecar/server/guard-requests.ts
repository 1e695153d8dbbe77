import type { NextFunction, Request, Response } from 'express';
import { DepotError } from '../../shared/errors';
import type { OriginGuard } from './origin-guard';
import { sendError } from './send-error';

export interface GuardRequestsOptions {
  guard: OriginGuard;
  /** The listening port, read per request (known only after `listen`). */
  port: () => number;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * Express middleware: refuses a foreign `Host` on every request, a foreign `Origin` on every state-changing request
 * and preflight, and sends CORS headers only to allowed origins (issue 5, item 2).
 */
export function guardRequests(options: GuardRequestsOptions) {
  const { guard } = options;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!guard.hostAllowed(req.headers.host, options.port())) {
      const message = `Host "${String(req.headers.host ?? '').slice(0, 100)}" is not served by this sidecar (DNS-rebinding protection); use http://127.0.0.1:${options.port()}.`;
      return sendError(res, new DepotError('ORIGIN_REFUSED', message));
    }
    const origin = req.headers.origin;
    if (guard.isListedOrigin(origin) && origin !== undefined) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS' || !SAFE_METHODS.has(req.method)) {
      if (!guard.originAllowed(origin)) {
        const message = `Origin "${String(origin).slice(0, 100)}" may not use the sidecar; add it to allowed_origins in the config to allow it.`;
        return sendError(res, new DepotError('ORIGIN_REFUSED', message));
      }
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
