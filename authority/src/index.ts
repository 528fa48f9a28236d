export { registerAuthorityCommand } from './cli/authority-command';
export { runAuthority, parseListen, DEFAULT_RATE_LIMIT, type AuthoritySettings, type RunningAuthority } from './server/run-authority';
export { initAuthorityDir, loadAuthorityDir, readAdminToken, authorityFiles, ROOT_PUBLIC_KEY_FILE, ROOT_PRIVATE_KEY_FILE, ADMIN_TOKEN_FILE } from './config/authority-dir';
export { openStore, parseDbSetting, type DbSetting } from './storage/open-store';
export type { AuthorityStore } from './storage/store';
export { parseProxyInput } from './cli/proxy-activate-command';
