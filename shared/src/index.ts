// The public surface of @vact/shared. Each module owns one concern; see DESIGN §2.
export * from './errors/error-codes';
export * from './catalogue/types';
export * from './catalogue/catalogue';
export * from './keys/product-key';
export * from './crypto/signer';
export * from './crypto/node-ed25519';
export * from './tickets/certificate';
export * from './tickets/ticket';
export * from './offline/installation-id';
export * from './offline/confirmation-id';
export * from './clock/clock';
export * from './clock/duration';
export * from './lifecycle/types';
export * from './lifecycle/machine';
