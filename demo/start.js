#!/usr/bin/env node
// Entry of `npm run demo` (scripts/demo.sh): loads the TypeScript sources with the project's
// require hook (transpile only, as bench/run.js does) and runs demo/run.ts.
'use strict';
require('../test/support/register-ts');
require('./run.ts');
