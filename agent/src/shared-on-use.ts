// The parts of @vact/shared the daemon loads on first use, not at start: offline activation and the
// MAK seal (X25519 on @noble/curves, only a MAK needs them) and the KMS host's rules (only a KMS
// host key needs them). A require() inside a function stays lazy in the daemon's bundle too.
import type * as SharedOffline from '@vact/shared/offline';
import type * as SharedKms from '@vact/shared/kms';

let offline: typeof SharedOffline | null = null;
let kms: typeof SharedKms | null = null;

/** @vact/shared/offline, loaded on the first call. */
export function sharedOffline(): typeof SharedOffline {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  offline ??= require('@vact/shared/offline') as typeof SharedOffline;
  return offline;
}

/** @vact/shared/kms, loaded on the first call. */
export function sharedKms(): typeof SharedKms {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  kms ??= require('@vact/shared/kms') as typeof SharedKms;
  return kms;
}
