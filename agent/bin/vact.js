#!/usr/bin/env node
'use strict';
require('../dist/cli/main.js').main(process.argv).then(
  (code) => { process.exitCode = code; },
  (err) => { process.stderr.write(`vact: internal error: ${err && err.stack || err}\n`); process.exitCode = 70; },
);
