#!/usr/bin/env node
'use strict';
// `vact agent run` is the daemon that stays in memory: it starts from one file with only that
// command (dist/vact-agent.js, built with the package by agent/scripts/bundle.mjs); every other
// command from the whole command tree (dist/cli/main.js).
const fs = require('node:fs');
const path = require('node:path');

/**
 * The bundle, unless one of the compiled files it was built from is newer (`tsc -b` since), or the
 * run collects coverage (NODE_V8_COVERAGE, c8): coverage is merged per source file from every
 * process, the compiled files map each source the same way everywhere and the bundle does not, so
 * such a run uses the compiled files (test/src/agent-cli/agent-entry.test.ts runs the bundle).
 */
function agentRunEntry() {
  const dist = path.join(__dirname, '..', 'dist');
  const bundle = path.join(dist, 'vact-agent.js');
  if (process.env.NODE_V8_COVERAGE) return path.join(dist, 'cli', 'agent-run-main.js');
  try {
    const built = fs.statSync(bundle).mtimeMs;
    const inputs = JSON.parse(fs.readFileSync(`${bundle}.inputs.json`, 'utf8'));
    const newer = (file) => {
      try {
        return fs.statSync(path.join(dist, file)).mtimeMs > built;
      } catch {
        return false; // an installed package has no shared/ beside it: its bundle is what it ships
      }
    };
    if (!inputs.some(newer)) return bundle;
  } catch {
    // no bundle: a checkout built with `tsc -b` only
  }
  return path.join(dist, 'cli', 'agent-run-main.js');
}

const args = process.argv.slice(2);
const entry = args[0] === 'agent' && args[1] === 'run' ? agentRunEntry() : '../dist/cli/main.js';
require(entry).main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`vact: internal error: ${err && err.stack || err}\n`); process.exitCode = 70; },
);
