// @vact/shared/licensing: the license domain and its protocols — errors, catalogue, keys, tickets,
// clock, lifecycle, hardware hash, the control and authority APIs — without offline activation IDs
// (@vact/shared/offline), the KMS host's parts (@vact/shared/kms), planning or the lab. Importing
// only this builds only these schemas: the agent daemon loads the rest when it needs them.
export * from './errors/error-codes';
export * from './errors/exit-codes';
export * from './catalogue/types';
export * from './catalogue/catalogue';
export * from './catalogue/identity';
export * from './keys/product-key';
export * from './crypto/signer';
export * from './crypto/sha256';
export * from './encoding/base64';
export * from './tickets/certificate';
export * from './tickets/ticket';
export * from './tickets/ticket-batch';
export * from './tickets/canonical-bytes';
export * from './clock/clock';
export * from './clock/duration';
export * from './clock/clock-spec';
export * from './lifecycle/license-schemas';
export * from './lifecycle/types';
export * from './lifecycle/state-schema';
export * from './lifecycle/machine';
export * from './lifecycle/retry';
export * from './hardware/hardware-hash';
export * from './net/host-port';
export * from './protocol/error-json';
export * from './protocol/authority-api';
export * from './protocol/control-api';
export * from './protocol/kms-api';
