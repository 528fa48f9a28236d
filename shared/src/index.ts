// The public surface of @vact/shared. Each module owns one concern; see DESIGN §2. Narrower entry
// points for a process that needs less: @vact/shared/licensing, /offline, /kms.
export * from './licensing';
export * from './offline/index';
export * from './kms/index';
export * from './planning';
export * from './lab/run-file';
