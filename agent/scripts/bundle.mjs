// Builds dist/vact-agent.js: `vact agent run` (the daemon) as one file, from the compiled dist/
// (run after `tsc -b`). One file instead of ~200 modules to resolve, read and compile makes the
// daemon start faster and keep less in memory (bench/agent-footprint.js). What it leaves out is
// loaded on use: the authority (optional, only `vact authority …` and `vact lab`), node-schedule
// (a wait over 24.8 days), prom-client (`--metrics-listen`), dns-packet (a KMS host's DNS
// publishing, a client's SRV lookup) and ws's optional native helpers. The systeminformation probe is its own
// process and file (dist/hardware/systeminformation-probe.js).
// Whitespace and syntax are minified; identifiers are not: they keep stack traces readable, and
// mangled names made V8 keep ~7 MB more malloc memory after compiling the file (measured, Node 20).
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zodEnglishOnly } from '../../scripts/esbuild/zod-english-only.mjs';

const AGENT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(AGENT, 'dist', 'vact-agent.js');

const result = await build({
  entryPoints: [path.join(AGENT, 'dist', 'cli', 'agent-run-main.js')],
  outfile: OUT,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
  external: ['@vact/authority', '@vact/authority/*', 'node-schedule', 'prom-client', 'dns-packet', 'sodium-native', 'bufferutil', 'utf-8-validate'],
  plugins: [zodEnglishOnly],
});

// The project files the bundle was built from: bin/vact.js runs the compiled files instead when
// one of them is newer (a `tsc -b` after this build), so a checkout never runs a stale bundle.
const inputs = Object.keys(result.metafile.inputs)
  .filter((f) => !f.includes('node_modules/') && !f.includes(':'))
  .map((f) => path.relative(path.dirname(OUT), path.resolve(f)));
fs.writeFileSync(`${OUT}.inputs.json`, `${JSON.stringify(inputs)}\n`);
