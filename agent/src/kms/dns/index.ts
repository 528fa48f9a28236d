// DNS publishing of a KMS host: RFC 2136 dynamic update with TSIG.
export * from './tsig-key';
export * from './tsig';
export * from './srv-update';
export * from './dns-tcp';
export * from './publisher';
