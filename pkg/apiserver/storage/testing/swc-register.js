// Lets a child process `node -r ./swc-register.js script.ts` run TypeScript, compiled by swc as jest does.
const { transformSync } = require('@swc/core');
const Module = require('node:module');
const fs = require('node:fs');

Module._extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    swcrc: false,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
