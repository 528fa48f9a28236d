export { registerAuthorityCommand } from './cli/authority-command';
