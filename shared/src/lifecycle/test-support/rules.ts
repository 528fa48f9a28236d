// The DESIGN §3 numbers, spelled out once for the tests (the catalogue test checks the reference catalogue carries them).
import type { CatalogueRules } from '../../catalogue/types';
import type { InstalledKey } from '../types';

export const RULES: CatalogueRules = {
  graceDays: 30,
  rearmLimit: 3,
  kmsValidityDays: 180,
  renewalIntervalMinutes: 7 * 24 * 60,
  activationIntervalMinutes: 120,
  minIntervalMinutes: 15,
  maxIntervalMinutes: 30 * 24 * 60,
  cmidCacheLifetimeDays: 30,
  kmsHostKeyMaxHosts: 6,
  kmsHostKeyMaxActivationsPerHost: 10,
  clockSkewMinutes: 240,
};

export const KMS_KEY: InstalledKey = { key: 'KMSCL-AAAAA-AAAAA-AAAAA-AAAAA', type: 'kms-client', group: 'client-vl', partialKey: 'AAAAA' };
export const OTHER_KMS_KEY: InstalledKey = { key: 'KMSCL-CCCCC-CCCCC-CCCCC-CCCCC', type: 'kms-client', group: 'client-vl', partialKey: 'CCCCC' };
export const MAK_KEY: InstalledKey = { key: 'MAKKY-DDDDD-DDDDD-DDDDD-DDDDD', type: 'mak', group: 'client-vl', partialKey: 'DDDDD' };
