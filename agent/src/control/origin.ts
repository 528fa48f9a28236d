// Origin check: a browser page must not drive the agent with a user's token (cross-site WebSocket
// hijacking). Non-browser clients send no Origin and are allowed; browser origins only when listed.

/** Origins allowed by default: VS Code webviews (the extension panel). */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = ['vscode-webview://*', 'vscode-file://*'];

/** Whether a request with this Origin header may connect; patterns are exact origins or "scheme://*". */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined || origin === '') return true;
  const o = origin.toLowerCase();
  return allowed.some((pattern) => {
    const p = pattern.toLowerCase();
    return p.endsWith('://*') ? o.startsWith(p.slice(0, -1)) && o.length > p.length - 1 : o === p;
  });
}
