// What the agent keeps of a MAK (like slmgr /cpky): the key is sealed to the authority in the
// commit that installs it, and once the MAK has activated the machine the clear key is dropped
// from the state. What is left — type, group, partial key, the seal and the ticket — is all that
// status, installation IDs and reactivation need; only the authority can open the seal.
import { randomBytes } from 'node:crypto';
import { sharedOffline } from '../shared-on-use';
import type { AgentState } from '../store/state-file';

/** 32 fresh random bytes for one seal's ephemeral key. */
function ephemeralSecret(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

/**
 * Brings `next` (the state a step is about to commit) in line with the custody rule: a MAK has a
 * seal for `authorityKey`, and no clear key once Licensed. Other keys keep no seal.
 */
export function keepKey(before: AgentState, next: AgentState, authorityKey: string, random: () => Uint8Array = ephemeralSecret): void {
  const key = next.lifecycle.key;
  if (!key || key.type !== 'mak') {
    next.keySeal = null;
    return;
  }
  // Already dropped: the seal is all there is (a new authority key needs the key installed again).
  if (key.key === null) return;
  const changed = before.lifecycle.key?.key !== key.key;
  if (changed || next.keySeal === null || next.keySeal.authorityKey !== authorityKey) next.keySeal = sharedOffline().sealProductKey(key.key, authorityKey, random());
  if (next.lifecycle.status === 'Licensed') next.lifecycle = { ...next.lifecycle, key: { ...key, key: null } };
}
