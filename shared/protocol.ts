import { z } from 'zod';
import { zCheckResult, zProvider } from './check-result';
import { zJob } from './job';
import { zRequirement } from './requirement';

/**
 * The WebSocket protocol between the extension and the sidecar (`ws://127.0.0.1:8190/ws`).
 * Both sides parse every message with these schemas; a message that fails gets an `error` reply.
 * No sidecar message ever carries a token.
 */

// ---- extension -> sidecar ----------------------------------------------------------------------------

/** A catalog of known models a check looks up file names in (the CLI's `--catalog`, read on the client's side). */
export const zCatalog = z.object({
  name: z.string(),
  source: z.string(),
  entries: z.array(
    z.object({
      folder: z.string(),
      filename: z.string(),
      url: z.string(),
      sha256: z.string().optional(),
      name: z.string().optional(),
    }),
  ),
});

/** Asks what a workflow needs. `workflow` is the raw workflow JSON; `dependencies` a `dependencies` section alone. */
export const zCheckMessage = z.object({
  type: z.literal('check'),
  id: z.string().max(200),
  workflow: z.unknown().optional(),
  dependencies: z.unknown().optional(),
  /** Instead of the two above: the file as read (a workflow, `{ workflow }`, `{ dependencies }`, a `/prompt` body). */
  input: z.unknown().optional(),
  /** Catalogs to find the URL of a file the workflow names without one. Default none. */
  catalogs: z.array(zCatalog).max(100).optional(),
  /** Choices among catalog candidates, by file name: a URL or a 1-based index (the CLI's `--pick`). Default none. */
  picks: z.record(z.string(), z.string()).optional(),
  /** false: ask no host for the SHA-256 and size of URLs without one (the CLI's `--no-remote`). Default true. */
  remote: z.boolean().optional(),
  /** Also the models of muted and bypassed nodes, as optional (the CLI's `--all`). Default false. */
  all: z.boolean().optional(),
});

/** Starts jobs for the given requirements (links first, then downloads). */
export const zInstallMessage = z.object({
  type: z.literal('install'),
  id: z.string().max(200),
  items: z.array(zRequirement).max(1000),
  /** Tokens for this install's downloads only (the CLI's HF_TOKEN / CIVITAI_API_TOKEN), forgotten when they end. */
  tokens: z
    .object({
      huggingface: z.string().min(1).max(4096).optional(),
      civitai: z.string().min(1).max(4096).optional(),
    })
    .strict()
    .optional(),
  /** false: a download that needs a token fails at once instead of asking this client. Default true. */
  waitForToken: z.boolean().optional(),
});

/** Answers an `authRequired`: used for the waiting jobs of that provider started by this client, then forgotten. */
export const zTokenMessage = z.object({
  type: z.literal('token'),
  id: z.string().max(200).optional(),
  provider: zProvider,
  token: z.string().min(1).max(4096),
});

/** Cancels one job, or every job waiting for a token of `provider` (the token dialog's Cancel). */
export const zCancelMessage = z.object({
  type: z.literal('cancel'),
  id: z.string().max(200).optional(),
  jobId: z.string().max(200).optional(),
  provider: zProvider.optional(),
});

/** Changes the global bandwidth cap while downloads run; null removes it. */
export const zSetLimitMessage = z.object({
  type: z.literal('setLimit'),
  id: z.string().max(200).optional(),
  kbps: z.number().positive().nullable(),
});

/** Forgets the hosts' cached answers (SHA-256 and size of URLs), so the next check asks them again. */
export const zResetMetadataCacheMessage = z.object({
  type: z.literal('resetMetadataCache'),
  id: z.string().max(200),
});

export const zClientMessage = z.discriminatedUnion('type', [
  zCheckMessage,
  zInstallMessage,
  zTokenMessage,
  zCancelMessage,
  zSetLimitMessage,
  zResetMetadataCacheMessage,
]);
export type ClientMessage = z.infer<typeof zClientMessage>;

// ---- sidecar -> extension ----------------------------------------------------------------------------

/** Sent on connect, so a second tab sees the jobs already running. */
export const zHelloMessage = z.object({
  type: z.literal('hello'),
  version: z.string(),
  jobs: z.array(zJob),
});

export const zCheckResultMessage = z.object({
  type: z.literal('checkResult'),
  id: z.string(),
  result: zCheckResult,
});

/** Answers an `install` with the jobs it created. */
export const zInstallStartedMessage = z.object({
  type: z.literal('installStarted'),
  id: z.string(),
  jobs: z.array(zJob),
});

/** Broadcast to every client. */
export const zProgressMessage = z.object({ type: z.literal('progress'), job: zJob });
export const zJobDoneMessage = z.object({ type: z.literal('jobDone'), job: zJob });
export const zJobFailedMessage = z.object({ type: z.literal('jobFailed'), job: zJob });

/** Sent only to the client that started the jobs. */
export const zAuthRequiredMessage = z.object({
  type: z.literal('authRequired'),
  provider: zProvider,
  jobIds: z.array(z.string()),
  /** The models waiting, for the dialog. */
  filenames: z.array(z.string()),
  /** 'missing': no token was given (401). 'denied': the token has no access (403). */
  reason: z.enum(['missing', 'denied']),
  /** Where access is requested (gated HF repo page), when known. */
  accessUrl: z.string().optional(),
  /** Where tokens are made. */
  tokenUrl: z.string(),
  message: z.string(),
});

/** Answers a `resetMetadataCache` once the cache is empty. */
export const zMetadataCacheResetMessage = z.object({ type: z.literal('metadataCacheReset'), id: z.string() });

export const zErrorMessage = z.object({
  type: z.literal('error'),
  id: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }),
});

export const zServerMessage = z.discriminatedUnion('type', [
  zHelloMessage,
  zCheckResultMessage,
  zInstallStartedMessage,
  zProgressMessage,
  zJobDoneMessage,
  zJobFailedMessage,
  zAuthRequiredMessage,
  zMetadataCacheResetMessage,
  zErrorMessage,
]);
export type ServerMessage = z.infer<typeof zServerMessage>;
export type AuthRequiredMessage = z.infer<typeof zAuthRequiredMessage>;

export const TOKEN_PAGES = {
  huggingface: 'https://huggingface.co/settings/tokens',
  civitai: 'https://civitai.com/user/account',
} as const;
