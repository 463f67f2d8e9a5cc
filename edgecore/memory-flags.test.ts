import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const REGISTER_TS = join(__dirname, '../pkg/cli/testing/register-ts.js');

/** Runs `script` in a fresh node (never in the jest worker: V8 flags are process-wide); prints JSON. */
function inNode(script: string, nodeArgs: string[] = []): unknown {
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', ...nodeArgs, '-r', REGISTER_TS, '-e', script], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, NODE_OPTIONS: '' },
    encoding: 'utf8',
  });
  return JSON.parse(out);
}

// A hot function, and whether V8 made TurboFan code for it (bit 4 of %GetOptimizationStatus: "TurboFanned").
const HOT = `
  function f(x) { return x * 2 + 1; }
  let s = 0; for (let i = 0; i < 2e7; i++) s += f(i);
  const turbofanned = (%GetOptimizationStatus(f) & (1 << 4)) !== 0;`;

describe('edgecore memory flags', () => {
  it('keeps V8 from making optimized code', () => {
    const result = inNode(`const { applyMemoryFlags } = require('./edgecore/memory-flags');
      const applied = applyMemoryFlags(); ${HOT}
      console.log(JSON.stringify({ applied, turbofanned }));`);
    expect(result).toEqual({ applied: ['--max-opt=1'], turbofanned: false });
  });

  it('leaves a tier the operator chose on the command line or in NODE_OPTIONS', () => {
    const result = inNode(`const { applyMemoryFlags } = require('./edgecore/memory-flags');
      const applied = [applyMemoryFlags(), applyMemoryFlags([], '--max_opt=3 --no-deprecation')]; ${HOT}
      console.log(JSON.stringify({ applied, turbofanned }));`, ['--max-opt=3']);
    expect(result).toEqual({ applied: [[], []], turbofanned: true });
  });
});
