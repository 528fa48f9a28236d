import * as path from 'node:path';

/**
 * The agent package's directory (the one with package.json, bin/ and dist/). This module compiles
 * to dist/package-dir.js and the one-file bundle of `vact agent run` is dist/vact-agent.js, so `..` of
 * either is the package.
 */
export const AGENT_PACKAGE_DIR = path.resolve(__dirname, '..');
