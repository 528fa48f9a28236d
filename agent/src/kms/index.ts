// The agent's KMS edges (issue 8), standalone until the composition root registers them.
export * from './host/listener';
export * from './host/count-store';
export * from './client/exchange';
export * from './client/srv-choice';
export * from './client/discovery';
export * from './dns/index';
export * from './host/host-service';
export * from './client/kms-activate';
export * from './client/kms-channel';
