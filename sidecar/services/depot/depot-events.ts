import type { Provider } from '../../../shared/check-result';
import type { Job } from '../../../shared/job';

/** A download of the jobs `jobIds` needs a token of `provider`; only the client that started them is asked. */
export interface AuthRequiredEvent {
  /** The client that started the jobs (a WebSocket connection, or 'cli'); undefined for HTTP installs. */
  clientId?: string;
  provider: Provider;
  jobIds: string[];
  filenames: string[];
  /** 'missing': no token was given (401). 'denied': the token has no access (403). */
  reason: 'missing' | 'denied';
  /** The gated repository's page where access is requested, when the host said. */
  accessUrl?: string;
  /** A sentence for the dialog or the terminal prompt; never holds a token. */
  message: string;
}

/** What the places index found at start (hub directories, HF cache, models root). */
export interface IndexSummary {
  files: number;
  registered: number;
  errors: number;
}

/** The events a depot emits. Job payloads never carry a token. */
export interface DepotEvents {
  progress: Job;
  jobDone: Job;
  jobFailed: Job;
  authRequired: AuthRequiredEvent;
  indexed: IndexSummary;
}
