/** Metrics of the recorder, created once per registry (several recorders, or a restarted module, share them). */
import { Counter, type Registry } from 'prom-client';

export type RecordOutcome = 'created' | 'updated' | 'unchanged' | 'deleted' | 'absent' | 'skipped';

export interface RecorderMetrics {
  recorded(outcome: RecordOutcome | 'error'): void;
}

export const noRecorderMetrics: RecorderMetrics = { recorded: () => undefined };

const NAME = 'reliablesync_deliveries_recorded_total';

export function recorderMetrics(registry: Registry): RecorderMetrics {
  const counter =
    (registry.getSingleMetric(NAME) as Counter<string> | undefined) ??
    new Counter({
      name: NAME,
      help: 'Acknowledged deliveries by what happened to their ObjectSync record (created, updated, unchanged: not newer, deleted, absent: already gone, skipped: nothing to record, error).',
      labelNames: ['outcome'],
      registers: [registry],
    });
  return { recorded: (outcome) => counter.inc({ outcome }) };
}
