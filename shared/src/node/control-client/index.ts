// The typed control API client (used by the CLI and the VS Code extension).
export { ControlClient, ControlCallError, type ControlClientOptions } from './client';
export { readControlToken, type TokenSource } from './token';
