import * as fs from 'node:fs';
import * as path from 'node:path';
import { AGENT_PACKAGE_DIR } from './package-dir';

/** The vact version, from agent/package.json (the one place it is written). */
export const AGENT_VERSION: string = (JSON.parse(fs.readFileSync(path.join(AGENT_PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
