import { redactUrl } from './redact-url';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface LoggerOptions {
  /** Where a finished line goes. Default a line on stderr. */
  write?: (line: string) => void;
  /** Lines below this level are dropped. Default 'info'. */
  level?: LogLevel;
  /**
   * Secrets known at run time (environment tokens, tokens the vault holds), read at every line; any occurrence in a
   * line (also JSON-escaped or percent-encoded) is replaced, whatever the patterns say. Secrets under 4 characters
   * are skipped (they would cut up ordinary words). Default none.
   */
  secrets?: () => Iterable<string>;
  /** Fields added to every line (job id, file name). Default none. */
  fields?: LogFields;
  /** Time source for the line's timestamp. Default Date.now. */
  now?: () => number;
}

/** Logs carry job ids, file names, byte counts and hosts; never a token, an Authorization header or a signed URL. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to each of its lines. */
  child(fields: LogFields): Logger;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY = /authorization|token|password|passwd|secret|api[-_]?key|cookie|credential/i;
const REDACTED = '[redacted]';

export function createLogger(options: LoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const min = LEVELS[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  const base = options.fields ?? {};

  const log = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    if (LEVELS[level] < min) return;
    const record = redactValue({ time: new Date(now()).toISOString(), level, msg: message, ...base, ...fields });
    write(scrubSecrets(JSON.stringify(record), options.secrets));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** Redacts secret-looking keys at any depth, URLs in strings, Bearer values and HF/Civitai-style tokens. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of entries) {
    out[String(key)] = SECRET_KEY.test(String(key)) ? REDACTED : redactValue(inner, depth + 1);
  }
  return out;
}

/** Free text: URLs lose their credentials, `Bearer x` and `token=x` lose x, `hf_...` tokens disappear. */
export function redactText(text: string): string {
  return text
    .replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (url) => redactUrl(url))
    .replace(/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`)
    .replace(/\b(token|access_token|api_key|apikey)=[^\s&"']+/gi, `$1=${REDACTED}`)
    .replace(/\bhf_[A-Za-z0-9]{6,}/g, `hf_${REDACTED}`);
}

function scrubSecrets(line: string, secrets: LoggerOptions['secrets']): string {
  if (!secrets) return line;
  // Each secret as it can appear in a JSON line: as is, JSON-escaped (quotes, backslashes), percent-encoded (in a
  // URL). Longest first, so a secret that contains another is cut out whole.
  const forms = new Set<string>();
  for (const secret of secrets()) {
    if (secret.length < 4) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
    forms.add(JSON.stringify(encodeURIComponent(secret)).slice(1, -1));
  }
  let out = line;
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join(REDACTED);
  return out;
}
