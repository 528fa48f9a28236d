// @vact/shared/offline: offline activation — installation IDs, confirmation IDs, and the MAK sealed
// to the authority (X25519 ECIES on @noble/curves).
export * from './installation-id';
export * from './sealed-key';
export * from './confirmation-id';
