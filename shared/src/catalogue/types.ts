// CONTRACT — owned by the shared-keys/catalogue helper; other packages import these names.
export type GroupId = string; // reference catalogue: 'client-vl' | 'server-a' | 'server-b' | 'server-c'
export type EditionId = string;
export type EditionKind = 'client' | 'server';

export interface Edition {
  id: EditionId;
  name: string;
  product: string;
  group: GroupId;
  kind: EditionKind;
  generation: 'current' | 'previous';
  /** KMS activation threshold for requests from this edition (25 client, 5 server). */
  threshold: number;
  /** The public KMS client setup key of this edition. */
  kmsClientSetupKey: string;
}

export interface ProductKeyGroup {
  id: GroupId;
  name: string;
  /** Position in the KMS hierarchy; a host key of rank r activates groups of rank <= r. */
  rank: number;
  /** Editions on which a KMS host key of this group may be installed. */
  hostEditions: EditionId[];
}

export interface CatalogueRules {
  graceDays: number; // 30
  rearmLimit: number; // 3
  kmsValidityDays: number; // 180
  renewalIntervalMinutes: number; // 7 days
  activationIntervalMinutes: number; // 2 hours
  minIntervalMinutes: number; // 15
  maxIntervalMinutes: number; // 30 days
  cmidCacheLifetimeDays: number; // 30
  kmsHostKeyMaxHosts: number; // 6
  kmsHostKeyMaxActivationsPerHost: number; // 10
  clockSkewMinutes: number; // 240
}

export interface Catalogue {
  version: 1;
  name: string;
  products: { id: string; name: string }[];
  groups: ProductKeyGroup[];
  editions: Edition[];
  rules: CatalogueRules;
}
