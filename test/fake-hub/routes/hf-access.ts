import type { RepoType } from '../fake-hub-types';
import { sendHfError, rateLimitHeaders } from './hf-errors';
import { commitOf, type Repo } from '../hub-state';
import { answeredByRedirectFault, type FaultContext } from '../faults';
import type { HubExchange } from '../hub-exchange';

export const TYPE_PREFIX: Record<RepoType, string> = { model: '', dataset: 'datasets/', space: 'spaces/' };

/**
 * The bearer token of the request; `invalid` when an Authorization header is there but is not a token the hub knows
 * (the Hub refuses it with 401 even on public repositories).
 */
export function hfToken(x: HubExchange): { token?: string; invalid: boolean } {
  const header = x.req.headers.authorization;
  if (header === undefined) return { invalid: false };
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (match === null || !x.state.hfTokens.has(match[1])) return { invalid: true };
  return { token: match[1], invalid: false };
}

/** Answers an active `fail` fault; true when it did. */
export function answeredByFault(x: HubExchange, context: FaultContext): boolean {
  if (answeredByRedirectFault(x.state.faults, x.res, x.record, context, x.method)) return true;
  const fault = x.state.faults.take('fail', context);
  if (fault === undefined) return false;
  const headers =
    fault.status === 429 && (context.server === 'hf' || context.server === 'cdn')
      ? rateLimitHeaders(fault.resetSeconds ?? 1, fault.retryAfter)
      : fault.retryAfter === undefined
        ? {}
        : { 'Retry-After': String(fault.retryAfter) };
  const message = fault.status === 429 ? 'You have exceeded our rate limit' : `Injected failure ${fault.status}`;
  sendHfError(x.req, x.res, x.record, fault.status, undefined, message, headers);
  return true;
}

/**
 * Finds the repository and checks the token and the revision; on failure answers the Hub's error and returns
 * undefined. Gating is checked only where `checkGate` (file downloads): listings of gated repos are public.
 */
export function accessRepo(
  x: HubExchange,
  type: RepoType,
  id: string,
  revision: string | undefined,
  checkGate: boolean,
): { repo: Repo; commit: string } | undefined {
  const { token, invalid } = hfToken(x);
  if (invalid) {
    sendHfError(x.req, x.res, x.record, 401, undefined, 'Invalid credentials in Authorization header');
    return undefined;
  }
  const repo = x.state.findRepo(type, id);
  const granted = token !== undefined && repo?.tokensWithAccess.has(token) === true;
  if (repo === undefined || (repo.private && !granted)) {
    sendRepoNotFound(x, token !== undefined);
    return undefined;
  }
  if (checkGate && repo.gated !== false && !granted) {
    const what = `Access to ${type} ${id} is restricted`;
    if (token === undefined) {
      sendHfError(
        x.req,
        x.res,
        x.record,
        401,
        'GatedRepo',
        `${what}. You must have access to it and be authenticated to access it. Please log in.`,
      );
    } else {
      const page = `${x.state.urls.hfUrl}/${TYPE_PREFIX[type]}${id}`;
      sendHfError(
        x.req,
        x.res,
        x.record,
        403,
        'GatedRepo',
        `${what} and you are not in the authorized list. Visit ${page} to ask for access.`,
      );
    }
    return undefined;
  }
  const commit = commitOf(repo);
  if (revision !== undefined && revision !== repo.revision && revision !== commit && !repo.aliases.includes(revision)) {
    sendHfError(x.req, x.res, x.record, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
    return undefined;
  }
  return { repo, commit };
}

/**
 * A missing repository, or a private one the caller may not see: the same answer for both, so that names cannot be
 * probed. Without a token the Hub answers a bare 401 (no X-Error-Code, the message of a failed login), which
 * huggingface_hub maps to RepositoryNotFoundError only because the URL is a repo URL; with a valid token it answers
 * 404 `RepoNotFound` (huggingface.js `check-repo-access.spec.ts`: 401 unauthenticated, 404 authenticated;
 * huggingface_hub `test_utils_errors.py`: 404 + RepoNotFound, bare 401 on a repo URL).
 */
function sendRepoNotFound(x: HubExchange, withToken: boolean): void {
  if (withToken) {
    sendHfError(x.req, x.res, x.record, 404, 'RepoNotFound', 'Repository not found');
    return;
  }
  sendHfError(x.req, x.res, x.record, 401, undefined, 'Invalid username or password.', {
    'WWW-Authenticate': 'Bearer realm="Authentication required", charset="UTF-8"',
  });
}

export function decodeSegments(segments: string[]): string {
  return segments.map((segment) => decodeURIComponent(segment)).join('/');
}

export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
