/** Prometheus metrics of the bootstrap server, on the registry the caller passes (never the global one). */
import { Counter, type Registry } from 'prom-client';

const NAME = 'cloudhub_certificate_requests_total';

export interface BootstrapMetrics {
  signed(via: 'token' | 'certificate'): void;
  refused(reason: string): void;
}

export const noBootstrapMetrics: BootstrapMetrics = { signed: () => undefined, refused: () => undefined };

/** outcome "signed" with reason token|certificate (how the node proved itself), or "refused" with the refusal reason. */
export function bootstrapMetrics(registry: Registry | undefined): BootstrapMetrics {
  if (registry === undefined) return noBootstrapMetrics;
  const counter =
    (registry.getSingleMetric(NAME) as Counter<'outcome' | 'reason'> | undefined) ??
    new Counter({
      name: NAME,
      help: 'Certificate requests to the bootstrap server (/edge.crt), by outcome and reason.',
      labelNames: ['outcome', 'reason'],
      registers: [registry],
    });
  return {
    signed: (via) => counter.inc({ outcome: 'signed', reason: via }),
    refused: (reason) => counter.inc({ outcome: 'refused', reason: reason.toLowerCase() }),
  };
}
