// What a KMS host remembers about each counted CMID, beyond the count (for `vact host clients` and
// duplicate-CMID detection). Kept beside the count, never larger than it: an entry lives only while
// its CMID is in the count's cache. A Map keyed by CMID, so each request costs O(1) here.
import type { LicenseStatus } from '../lifecycle/types';

export interface KmsClientRecord {
  cmid: string;
  machineName: string;
  hardwareHash: string;
  edition: string;
  licenseStatus: LicenseStatus;
  vm: boolean;
  sourceAddress: string;
  firstSeen: number;
  lastSeen: number;
  requests: number;
  /** Other machine names / hardware seen with this CMID (cloned images); empty when none. */
  duplicates: { machineName: string; hardwareHash: string; at: number }[];
}

/** Keyed by CMID; recordClient updates it in place (the host holds one). */
export type KmsClientRegister = Map<string, KmsClientRecord>;

/** At most this many other identities are kept per CMID: enough to show a clone, bounded against floods. */
const MAX_DUPLICATES = 8;

/** What one request tells the register: the client's identity as a record holds it, and when. */
export type SeenRequest = Pick<KmsClientRecord, 'cmid' | 'machineName' | 'hardwareHash' | 'edition' | 'licenseStatus' | 'vm' | 'sourceAddress'> & { now: number };

/** Is this request from another machine than the one this CMID was first seen on? */
export function isDuplicate(reg: KmsClientRegister, q: SeenRequest): boolean {
  const r = reg.get(q.cmid);
  return r !== undefined && (r.machineName !== q.machineName || r.hardwareHash !== q.hardwareHash);
}

/** The other identities seen with a CMID, `q`'s last (once), at most MAX_DUPLICATES. */
function withDuplicate(seen: KmsClientRecord['duplicates'], q: SeenRequest): KmsClientRecord['duplicates'] {
  const others = seen.filter((d) => d.machineName !== q.machineName || d.hardwareHash !== q.hardwareHash);
  others.push({ machineName: q.machineName, hardwareHash: q.hardwareHash, at: q.now });
  return others.slice(-MAX_DUPLICATES);
}

/**
 * Records a request and forgets the CMIDs that just left the count's cache (`dropped`), so the
 * register holds only counted CMIDs. O(1) per request: the register is updated in place and handed
 * on, like the count it follows (the host keeps one). A duplicate keeps the first machine's
 * identity and adds the other to `duplicates`.
 */
export function recordClient(reg: KmsClientRegister, q: SeenRequest, dropped: readonly string[]): Map<string, KmsClientRecord> {
  const next = reg;
  for (const cmid of dropped) next.delete(cmid);
  const old = next.get(q.cmid);
  if (!old) {
    next.set(q.cmid, {
      cmid: q.cmid, machineName: q.machineName, hardwareHash: q.hardwareHash, edition: q.edition, licenseStatus: q.licenseStatus, vm: q.vm,
      sourceAddress: q.sourceAddress, firstSeen: q.now, lastSeen: q.now, requests: 1, duplicates: [],
    });
  } else {
    // A duplicate keeps the first machine's identity and what it last said; the same machine updates it.
    const same = old.machineName === q.machineName && old.hardwareHash === q.hardwareHash;
    const said = same ? q : old;
    const duplicates = same ? old.duplicates : withDuplicate(old.duplicates, q);
    // Written out, never spread: a renewal storm makes one a request (docs/architecture.md, "No spread copies").
    next.set(q.cmid, {
      cmid: old.cmid, machineName: old.machineName, hardwareHash: old.hardwareHash, edition: said.edition, licenseStatus: said.licenseStatus, vm: said.vm,
      sourceAddress: said.sourceAddress, firstSeen: old.firstSeen, lastSeen: q.now, requests: old.requests + 1, duplicates,
    });
  }
  return next;
}
