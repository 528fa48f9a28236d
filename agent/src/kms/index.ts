// The agent's KMS edges: the host listener, count store and client exchange, each usable on its own.
export * from './host/listener';
export * from './host/count-store';
export * from './client/exchange';
export * from './client/srv-choice';
export * from './client/discovery';
export * from './dns/index';
export * from './host/host-service';
export * from './client/kms-activate';
export * from './client/kms-channel';
