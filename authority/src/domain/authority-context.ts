// Everything the authority's domain operations need, built once at start.
import type { Catalogue, Clock, Ed25519 } from '@vact/shared';
import type { AuthorityStore } from '../storage/store';

export interface AuthorityContext {
  store: AuthorityStore;
  clock: Clock;
  catalogue: Catalogue;
  crypto: Ed25519;
  rootPrivateKey: string;
  rootPublicKey: string;
  /** Validity of a KMS host certificate from its issue time. */
  hostCertificateValidityMs: number;
}

/** Default validity of a KMS host certificate: 180 days, as a KMS activation (DESIGN §3). */
export const DEFAULT_HOST_CERTIFICATE_DAYS = 180;
/** Default activation limit of a MAK issued without --limit. */
export const DEFAULT_MAK_LIMIT = 100;
