import { z } from 'zod';
import type { Provider } from '../../../shared/check-result';
import { DepotError } from '../../../shared/errors';
import { readSmallBody, type FetchResponse } from '../fetch-like';
import { redactText } from '../../runtime/logger';
import { redactUrl } from '../../runtime/redact-url';

export interface StatusErrorInput {
  response: FetchResponse;
  /** The URL that answered. */
  url: string;
  /** The provider of the download (from the first URL's host). */
  provider?: Provider;
  /** Whether the answering host received the token. */
  sentToken: boolean;
  /** The file name for the message. */
  name: string;
  /** The token of this download: scrubbed from the server's words should a host echo it back. */
  token?: string;
}

/** Civitai's and HF's JSON error bodies: `{"error": "...", "message": "..."}`. */
const zErrorBody = z.object({ error: z.string().optional(), message: z.string().optional() }).passthrough();

/**
 * The DepotError for an unsuccessful answer. 401 is "no (valid) token": AUTH_REQUIRED; 403 is "a token without
 * access": AUTH_DENIED with the page where access is requested. 408/429/5xx carry their Retry-After/RateLimit
 * headers in `details` for the retry policy. The server's own words are kept (redacted) because Civitai's explain
 * the case (early access, login required, downloads disabled). HF's `X-Error-Code` is read where it says more than
 * the status: a missing repository and a private one without access answer alike (a bare 401 without a token,
 * 404 `RepoNotFound` with one), so those messages name both.
 */
export async function statusError(input: StatusErrorInput): Promise<DepotError> {
  const { response, url, provider, name } = input;
  const status = response.status;
  const shown = redactUrl(url);
  const retryAfter = response.headers.get('retry-after');
  const rateLimit = response.headers.get('ratelimit');
  const hfCode = provider === 'huggingface' ? (response.headers.get('x-error-code') ?? undefined) : undefined;
  const serverMessage =
    status === 401 || status === 403 || status === 404 || status === 410
      ? scrub(await serverWords(response), input.token)
      : undefined;
  const said = serverMessage ? ` The server said: "${serverMessage}"` : '';

  if ((status === 401 || status === 403) && provider !== undefined) {
    const providerName = provider === 'huggingface' ? 'HuggingFace' : 'Civitai';
    const accessUrl = provider === 'huggingface' ? hfRepoPage(url) : undefined;
    const details = {
      provider,
      status,
      ...(hfCode ? { errorCode: hfCode } : {}),
      ...(accessUrl ? { accessUrl } : {}),
      ...(serverMessage ? { serverMessage } : {}),
    };
    if (status === 401 && provider === 'huggingface' && !input.sentToken && hfCode === undefined) {
      // The Hub's anonymous answer for a missing or private repository: its words ("Invalid username or password.")
      // are about credentials nobody sent, so they stay in details only.
      return new DepotError(
        'AUTH_REQUIRED',
        `${name}: the HuggingFace repository does not exist, or it is private and needs a token, and none was given (HTTP 401). Check the URL, or give a HuggingFace token with read access.`,
        { details },
      );
    }
    if (status === 401) {
      const what = input.sentToken
        ? `the ${providerName} token was not accepted (invalid or expired) (HTTP 401).`
        : `${providerName} requires a token to download it and none was given (HTTP 401).`;
      const next = accessUrl
        ? ` Give a ${providerName} token with read access (if the repository is gated, ask for access at ${accessUrl} first).`
        : ` Give a ${providerName} API token.`;
      return new DepotError('AUTH_REQUIRED', `${name}: ${what}${next}${said}`, { details });
    }
    const next = accessUrl
      ? ` Ask for access at ${accessUrl}, then try again.`
      : ' Check that your account may download it.';
    return new DepotError(
      'AUTH_DENIED',
      `${name}: the ${providerName} token has no access to this file (HTTP 403).${next}${said}`,
      { details },
    );
  }
  if (status === 404 && hfCode !== undefined) {
    const { what, next } = hfNotFound(hfCode, input.sentToken, shown);
    return new DepotError('NOT_FOUND', `${name}: ${what} (HTTP 404).${next}`, {
      details: { provider, status, errorCode: hfCode, url: shown, ...(serverMessage ? { serverMessage } : {}) },
    });
  }
  if (status === 404 || status === 410) {
    return new DepotError('NOT_FOUND', `${name}: ${shown} does not exist (HTTP ${status}).${said}`, {
      details: { status, url: shown },
    });
  }
  if (status === 429) {
    return new DepotError('RATE_LIMITED', `${name}: the host is rate limiting downloads (HTTP 429); try again later.`, {
      details: { status, url: shown, retryAfter, rateLimit },
    });
  }
  return new DepotError('HTTP_ERROR', `${name}: ${shown} answered HTTP ${status}.${said}`, {
    details: { status, url: shown, retryAfter, rateLimit },
  });
}

/** What an HF 404 with an `X-Error-Code` means, and what to do next. */
function hfNotFound(code: string, sentToken: boolean, shown: string): { what: string; next: string } {
  if (code === 'RepoNotFound') {
    return sentToken
      ? {
          what: `the repository of ${shown} does not exist, or it is private and the token has no access to it`,
          next: ' Check the URL, or use a token of an account that can see it.',
        }
      : {
          what: `the repository of ${shown} does not exist, or it is private and needs a token`,
          next: ' Check the URL, or give a HuggingFace token with read access.',
        };
  }
  if (code === 'RevisionNotFound')
    return {
      what: `the repository has no such branch, tag or commit: ${shown}`,
      next: ' Check the revision in the URL.',
    };
  if (code === 'EntryNotFound')
    return {
      what: `the repository has no such file at that revision: ${shown}`,
      next: ' Check the file path in the URL.',
    };
  return { what: `${shown} does not exist (${code})`, next: '' };
}

function scrub(text: string | undefined, token: string | undefined): string | undefined {
  if (text === undefined || !token) return text;
  return text.split(token).join('[redacted]');
}

/** `X-Error-Message` (HF) or the JSON body's message/error (Civitai), shortened and redacted. */
async function serverWords(response: FetchResponse): Promise<string | undefined> {
  const header = response.headers.get('x-error-message');
  const body = await readSmallBody(response, 8192);
  let text = header ?? undefined;
  if (!text) {
    try {
      const parsed = zErrorBody.safeParse(JSON.parse(body));
      if (parsed.success) text = [parsed.data.error, parsed.data.message].filter(Boolean).join(': ') || undefined;
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      text = body.trim() || undefined;
    }
  }
  return text === undefined ? undefined : redactText(text).slice(0, 500);
}

/** The repository page of a resolve URL (`<endpoint>/<repo>`), where a gated repository's access is requested. */
function hfRepoPage(url: string): string | undefined {
  const parsed = new URL(url);
  const match = /^\/(.+?)\/resolve\//.exec(parsed.pathname);
  return match ? `${parsed.origin}/${match[1]}` : undefined;
}
