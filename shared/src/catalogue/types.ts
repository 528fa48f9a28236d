// The catalogue: products, editions, product-key groups and the rules with numbers (DESIGN §3).
// The file format is described field by field in docs/catalogue.md.
export type GroupId = string; // reference catalogue: 'client-vl' | 'server-a' | 'server-b' | 'server-c'
export type EditionId = string;
export type EditionKind = 'client' | 'server';

export interface Edition {
  id: EditionId;
  name: string;
  /** Id of an entry in Catalogue.products. */
  product: string;
  group: GroupId;
  kind: EditionKind;
  generation: 'current' | 'previous';
  /** KMS activation threshold for requests from this edition (25 client, 5 server). */
  threshold: number;
  /** The public KMS client setup key of this edition. */
  kmsClientSetupKey: string;
  description?: string;
}

export interface ProductKeyGroup {
  id: GroupId;
  name: string;
  /** Position in the KMS hierarchy; a host key of rank r activates groups of rank <= r. */
  rank: number;
  /** Editions on which a KMS host key of this group may be installed. */
  hostEditions: EditionId[];
  description?: string;
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
  products: { id: string; name: string; description?: string }[];
  /** In key order: a product key stores the index of its group in this array, so only append. */
  groups: ProductKeyGroup[];
  editions: Edition[];
  rules: CatalogueRules;
}
