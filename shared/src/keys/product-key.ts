// CONTRACT — implemented by the shared-keys/catalogue helper.
export type KeyType = 'kms-client' | 'kms-host' | 'mak';
export interface DecodedKey {
  /** Canonical form XXXXX-XXXXX-XXXXX-XXXXX-XXXXX, upper case. */
  key: string;
  type: KeyType;
  group: string; // GroupId
  serial: bigint | number;
  /** Last five characters, for display ("partial product key"). */
  partial: string;
}
export declare function decodeProductKey(input: string, catalogueGroups: readonly string[]): DecodedKey; // throws VactError('INVALID_KEY', precise message)
export declare function encodeProductKey(fields: { type: KeyType; group: string; serial: bigint | number }, catalogueGroups: readonly string[]): string;
export declare function partialKey(key: string): string;
