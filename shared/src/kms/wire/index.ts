// The KMS wire codec: pure, shared by host, client and tests (docs/protocol.md, "KMS wire protocol").
export * from './frame';
export * from './messages';
export { fromHex } from './bytes';
