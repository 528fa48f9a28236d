// A TLS certificate the client does not trust is its own failure, not "unreachable": the fix is
// to name the CA (--ca FILE, or the agent's --authority-ca FILE), so the error says so.
import { VactError } from '../licensing';

/** Node's codes for a server certificate that does not verify against the trusted CAs or the name. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE', 'ERR_TLS_CERT_ALTNAME_INVALID', 'HOSTNAME_MISMATCH', 'INVALID_CA',
]);

/** CERTIFICATE_NOT_TRUSTED for a certificate failure talking to `origin`, or null for any other error. */
export function certificateError(err: unknown, origin: string, caFlag = '--ca'): VactError | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string' || !CERTIFICATE_CODES.has(code)) return null;
  const why = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `${code}: the certificate is not for this host name; ${(err as Error).message}` : code;
  return new VactError('CERTIFICATE_NOT_TRUSTED', `${origin}: certificate not trusted (${why}): pass ${caFlag} FILE`, { origin, tlsCode: code });
}
