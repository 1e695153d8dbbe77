import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { DepotError, errorCodeOf } from '../../../shared/errors';

export interface TrustedCertificatesOptions {
  /** The environment to read NODE_EXTRA_CA_CERTS from (a PEM file of extra authorities). */
  env: Readonly<Record<string, string | undefined>>;
  /** More authorities (PEM) to trust, such as a test server's own certificate. Default none. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
}

/**
 * The certificate authorities for https connections: undefined (Node's default store) when nothing extra is asked
 * for, else Node's bundled roots plus NODE_EXTRA_CA_CERTS plus `ca`. Node adds NODE_EXTRA_CA_CERTS to its default
 * store only at start-up, from its own environment, and any `ca` given to a connection replaces that store: so the
 * file named by the depot's environment is read here, and the bundled roots are listed again, or a company's
 * TLS-inspecting proxy (whose authority lives in that file) would fail every request.
 */
export function trustedCertificates(options: TrustedCertificatesOptions): string[] | undefined {
  const extra = options.ca === undefined ? [] : (Array.isArray(options.ca) ? options.ca : [options.ca]).map(String);
  const file = options.env.NODE_EXTRA_CA_CERTS?.trim();
  if (file) extra.push(readCertificateFile(file));
  return extra.length === 0 ? undefined : [...tls.rootCertificates, ...extra];
}

function readCertificateFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DepotError(
      'BAD_CONFIG',
      `NODE_EXTRA_CA_CERTS names ${file}, which cannot be read (${errorCodeOf(error) ?? 'unreadable'}); point it at a ` +
        `PEM file of certificate authorities, or unset it.`,
      { cause: error },
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new DepotError(
      'BAD_CONFIG',
      `NODE_EXTRA_CA_CERTS names ${file}, which holds no PEM certificate (-----BEGIN CERTIFICATE-----); point it at ` +
        `a PEM file of certificate authorities, or unset it.`,
    );
  }
  return text;
}
