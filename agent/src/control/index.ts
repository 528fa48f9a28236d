// The agent control API server; the daemon starts it with its AgentService.
export { startControlServer, loadTlsFiles, type ControlServer, type ControlServerOptions, type ControlLog } from './server';
export { roleForToken, bearerToken, FailedAuthLimiter, type ControlTokens, type FailedAuthLimitOptions } from './auth';
export { DEFAULT_ALLOWED_ORIGINS, originAllowed } from './origin';
export { ControlSession, type SessionHooks, type SessionOutput } from './session';
export { RpcErrorCode } from './json-rpc';
export { createHandlerRegistry, dispatch, type HandlerRegistry, type ControlHandler, type HandlerContext, type DispatchedMethod } from './registry';
