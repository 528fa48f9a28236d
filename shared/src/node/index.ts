// @vact/shared/node: the core's Node bindings — Ed25519 and hashing on node:crypto, the system
// clock, and the typed clients of the agent control API and the authority API.
export * from './node-ed25519';
export * from './system-clock';
export * from './control-client';
export * from './authority-client';
export * from './tls-trust';
export * from './catalogue-file';
export * from './free-port';
