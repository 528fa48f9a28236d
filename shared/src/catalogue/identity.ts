// A catalogue's identity: its name, format version and the digest of what activations depend on
// (groups in key order, editions, rules — not names or descriptions), so an authority and an
// agent can tell whether they read keys, editions and thresholds the same way.
import { sha256HexOfText } from '../crypto/sha256';
import type { Catalogue } from './types';

/** Name, format version and activation digest of a catalogue. */
export interface CatalogueIdentity {
  name: string;
  version: number;
  /** SHA-256 (hex) of the canonical form of the activation-relevant fields. */
  digest: string;
}

/** The identity of `c`; two catalogues with the same digest activate alike. */
export function catalogueIdentity(c: Catalogue): CatalogueIdentity {
  // Fields listed explicitly, in a fixed order: the digest must not depend on key order in the file.
  const r = c.rules;
  const canonical = {
    version: c.version,
    groups: c.groups.map((g) => ({ id: g.id, rank: g.rank, hostEditions: [...g.hostEditions].sort() })),
    editions: [...c.editions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((e) => ({
      id: e.id, product: e.product, group: e.group, kind: e.kind, threshold: e.threshold, kmsClientSetupKey: e.kmsClientSetupKey,
    })),
    rules: [r.graceDays, r.rearmLimit, r.kmsValidityDays, r.renewalIntervalMinutes, r.activationIntervalMinutes, r.minIntervalMinutes,
      r.maxIntervalMinutes, r.cmidCacheLifetimeDays, r.kmsHostKeyMaxHosts, r.kmsHostKeyMaxActivationsPerHost, r.clockSkewMinutes],
  };
  return { name: c.name, version: c.version, digest: sha256HexOfText(JSON.stringify(canonical)) };
}

/** What an activation request carries so the authority can refuse another catalogue (`catalogueDigest`). */
export interface CatalogueClaim {
  catalogueDigest: string;
}

/** The claim every activation of an agent on `c` sends: MAK, KMS host and offline alike. */
export function catalogueClaim(c: Catalogue): CatalogueClaim {
  return { catalogueDigest: catalogueIdentity(c).digest };
}
