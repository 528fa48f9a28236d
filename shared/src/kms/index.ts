// @vact/shared/kms: the KMS protocol's wire format and the KMS host's rules — the count, the
// request handler, ticket signing, the host file, certificate renewal times, client registration.
export * from './host-count';
export * from './wire/index';
export * from './client-register';
export * from './host-handler';
export * from './ticket-signer';
export * from './host-file-schema';
export * from './host-renewal';
