/**
 * V8 settings that trade peak JS speed for memory, applied by main.ts before anything else loads. An edge host has
 * little RAM and edgecore spends its time waiting on I/O (tunnel, CRI, SQLite), so the optimizing compiler buys
 * nothing measurable there, while it costs about 6 MB idle and 15-20 MB with pods (optimized code, compiler zones,
 * and the compiler's own pages of the node binary). Capping at Sparkplug (baseline code) measured no slower pod starts
 * and less CPU. Only flags V8 honours after start-up belong here (semi-space sizes do not: they must be on the node
 * command line, e.g. `node --max-semi-space-size=1 dist/edgecore/main.js`).
 */
import { setFlagsFromString } from 'node:v8';

/** Highest tier: 0 interpreter, 1 Sparkplug baseline, 3 TurboFan. */
export const EDGECORE_V8_FLAGS = ['--max-opt=1'] as const;

/** Flags the operator set on the node command line or in NODE_OPTIONS win over ours. */
export function applyMemoryFlags(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): string[] {
  // V8 accepts --max_opt as well as --max-opt.
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((arg) => arg.replace(/_/g, '-'));
  const applied: string[] = [];
  for (const flag of EDGECORE_V8_FLAGS) {
    const name = flag.split('=')[0]!;
    if (given.some((arg) => arg === name || arg.startsWith(`${name}=`))) continue;
    setFlagsFromString(flag);
    applied.push(flag);
  }
  return applied;
}
