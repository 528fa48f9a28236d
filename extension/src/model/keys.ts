// Product key checks before anything is sent, and the catalogue's public KMS client setup keys.
import { decodeProductKey, referenceCatalogue, VactError, type DecodedKey } from '@vact/shared';

/** null when the key is well formed, else the reason (the shared key codec's message). */
export function keyProblem(input: string): string | null {
  try {
    decodeProductKey(input.trim(), referenceCatalogue());
    return null;
  } catch (err) {
    return err instanceof VactError ? err.message : String(err);
  }
}

export function decodeKey(input: string): DecodedKey {
  return decodeProductKey(input.trim(), referenceCatalogue());
}

/** The KMS client setup key of every edition, for the Install key picker. */
export function kmsClientSetupKeys(): { edition: string; name: string; key: string }[] {
  return referenceCatalogue().editions.map((e) => ({ edition: e.id, name: e.name, key: e.kmsClientSetupKey }));
}

/** The KMS client setup key of one edition, or null. */
export function kmsClientSetupKeyFor(edition: string): string | null {
  return referenceCatalogue().editions.find((e) => e.id === edition)?.kmsClientSetupKey ?? null;
}
