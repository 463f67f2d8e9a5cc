/**
 * What the benchmark's downstream messages carry: a ConfigMap-shaped object whose `data` says which phase sent it, to
 * which node, and when (process.hrtime, CLOCK_MONOTONIC, so the cloud and the edges read the same clock).
 */

export type BenchPhase = 'burst' | 'latency' | 'resync';

export interface BenchMark {
  phase: BenchPhase;
  node: string;
  /** process.hrtime.bigint() in the cloud process just before the message was handed to cloudhub, as a string. */
  sentNs: string;
}

export const BENCH_NAMESPACE = 'bench';

/** An object's name starts with its phase's letter, so that a phase can be told from the resource alone. */
const PHASE_LETTER: Record<BenchPhase, string> = { burst: 'b', latency: 'l', resync: 'r' };
const LETTER_PHASE: Record<string, BenchPhase> = { b: 'burst', l: 'latency', r: 'resync' };

export function objectName(phase: BenchPhase, sequence: number): string {
  return `${PHASE_LETTER[phase]}-${sequence}`;
}

/** The phase of a resource string (`.../<type>/<name>`, with or without the node prefix), without parsing content. */
export function phaseOf(resource: string): BenchPhase | undefined {
  const slash = resource.lastIndexOf('/');
  return resource.charCodeAt(slash + 2) === 0x2d /* - */ ? LETTER_PHASE[resource.charAt(slash + 1)] : undefined;
}

export function benchObject(mark: BenchMark, name: string, uid: string, resourceVersion: string, padding: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: BENCH_NAMESPACE, uid, resourceVersion },
    data: { phase: mark.phase, node: mark.node, sentNs: mark.sentNs, padding },
  };
}

/** The mark in a received object, or undefined when it is not one of ours. */
export function readMark(content: Buffer): BenchMark | undefined {
  try {
    const data = (JSON.parse(content.toString('utf8')) as { data?: Partial<BenchMark> }).data;
    if (typeof data?.phase !== 'string' || typeof data.node !== 'string' || typeof data.sentNs !== 'string') return undefined;
    return { phase: data.phase, node: data.node, sentNs: data.sentNs };
  } catch {
    return undefined;
  }
}
