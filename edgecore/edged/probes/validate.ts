import type { Container, Probe } from '../api';
import { PodConfigError, PodConfigReason } from '../pod-errors';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

/** The probe settings with kubelet's defaults applied (0 or absent means the default, as API defaulting does). */
export interface ProbeTiming {
  initialDelaySeconds: number;
  timeoutSeconds: number;
  periodSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export function probeTiming(probe: Probe): ProbeTiming {
  return {
    initialDelaySeconds: probe.initialDelaySeconds ?? 0,
    timeoutSeconds: probe.timeoutSeconds || 1,
    periodSeconds: probe.periodSeconds || 10,
    successThreshold: probe.successThreshold || 1,
    failureThreshold: probe.failureThreshold || 3,
  };
}

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'] as const;
const NUMBERS = ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold', 'terminationGracePeriodSeconds'] as const;

/**
 * What is wrong with a probe, in the API server's words (`livenessProbe.periodSeconds: Invalid value: -1: must be
 * greater than or equal to 0`); empty when it can run. Pods from the API were validated there already; static pods
 * and old stored pods were not.
 */
export function validateProbe(probe: Probe, kind: ProbeKind): string[] {
  const field = `${kind}Probe`;
  const problems: string[] = [];
  const handlers = HANDLERS.filter((h) => (probe as Record<string, unknown>)[h] !== undefined && (probe as Record<string, unknown>)[h] !== null);
  if (handlers.length === 0) problems.push(`${field}: Required value: must specify a handler type`);
  if (handlers.length > 1) problems.push(`${field}: Forbidden: may not specify more than 1 handler type (${handlers.join(', ')})`);
  if (handlers.includes('grpc')) problems.push(`${field}.grpc: Unsupported value: edged runs exec, httpGet and tcpSocket probes`);
  if (probe.exec !== undefined && (probe.exec.command ?? []).length === 0) problems.push(`${field}.exec.command: Required value`);
  for (const [name, action] of [['httpGet', probe.httpGet], ['tcpSocket', probe.tcpSocket]] as const) {
    if (action === undefined) continue;
    const port = action.port;
    const numeric = typeof port === 'number' ? port : /^\d+$/.test(port ?? '') ? Number(port) : undefined;
    if (numeric !== undefined ? !(Number.isInteger(numeric) && numeric >= 1 && numeric <= 65535) : !/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(String(port ?? ''))) {
      problems.push(`${field}.${name}.port: Invalid value: ${JSON.stringify(port)}: must be a port number between 1 and 65535 or a container port name`);
    }
  }
  if (probe.httpGet?.scheme !== undefined && probe.httpGet.scheme !== 'HTTP' && probe.httpGet.scheme !== 'HTTPS') {
    problems.push(`${field}.httpGet.scheme: Unsupported value: ${JSON.stringify(probe.httpGet.scheme)}: supported values: "HTTP", "HTTPS"`);
  }
  for (const name of NUMBERS) {
    const value = probe[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) problems.push(`${field}.${name}: Invalid value: ${JSON.stringify(value)}: must be an integer`);
    else if (value < 0) problems.push(`${field}.${name}: Invalid value: ${value}: must be greater than or equal to 0`);
  }
  if (kind !== 'readiness' && probe.successThreshold !== undefined && probe.successThreshold > 1) {
    problems.push(`${field}.successThreshold: Invalid value: ${probe.successThreshold}: must be 1`);
  }
  return problems;
}

/** Throws PodConfigError(CreateContainerConfigError) naming the container when one of its probes cannot run. */
export function validateContainerProbes(container: Container): void {
  const problems = [
    ...(container.startupProbe ? validateProbe(container.startupProbe, 'startup') : []),
    ...(container.livenessProbe ? validateProbe(container.livenessProbe, 'liveness') : []),
    ...(container.readinessProbe ? validateProbe(container.readinessProbe, 'readiness') : []),
  ];
  if (problems.length > 0) {
    throw new PodConfigError(PodConfigReason.CreateContainerConfigError, `invalid probe for container "${container.name}": ${problems.join('; ')}`);
  }
}
