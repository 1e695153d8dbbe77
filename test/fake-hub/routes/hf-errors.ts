import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestRecord } from '../fake-hub-types';
import { sendBody } from '../request-log';

/** An HF error: `X-Error-Code` + `X-Error-Message` headers and a JSON `{"error"}` body, as the Hub answers. */
export function sendHfError(
  req: IncomingMessage,
  res: ServerResponse,
  record: RequestRecord,
  status: number,
  code: string | undefined,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendBody(
    res,
    record,
    status,
    {
      'Content-Type': 'application/json; charset=utf-8',
      ...(code === undefined ? {} : { 'X-Error-Code': code }),
      'X-Error-Message': message,
      'X-Request-Id': `Root=1-${Date.now().toString(16)}`,
      ...headers,
    },
    JSON.stringify({ error: message }),
    req.method ?? 'GET',
  );
}

/** The RateLimit headers of an HF 429: wait `t + 1` s. */
export function rateLimitHeaders(resetSeconds: number, retryAfter?: number): Record<string, string> {
  return {
    RateLimit: `"resolvers";r=0;t=${resetSeconds}`,
    'RateLimit-Policy': '"fixed window";"resolvers";q=3000;w=300',
    ...(retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) }),
  };
}
