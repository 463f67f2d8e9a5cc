/**
 * The controller manager's worker thread: the same manager as in-process, over the same HTTPS client, on an event
 * loop of its own, so that informer traffic (TLS, JSON, caches, queues) and reconciles never wait behind API requests
 * and API requests never wait behind them. The host (host.ts) sees it as one module: it forwards log lines and metrics,
 * asks it to stop, and treats a failure or an exit it did not ask for as a crash.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createControllerManager } from '../manager';
import { serializeError, type HostMessage, type WorkerData, type WorkerMessage } from './protocol';

const port = parentPort;
if (!port) throw new Error('controllermanager/worker/main is a worker_threads entry point; the host starts it');
const data = workerData as WorkerData;
const send = (message: WorkerMessage): void => port.postMessage(message);

// No time, pid or hostname: the host's logger adds its own when it writes the line.
const log = pino(
  { level: data.logLevel, base: null, timestamp: false, formatters: { level: (label) => ({ level: label }) } },
  { write: (line: string) => send({ type: 'log', line }) },
);
// The worker's own registry; the host merges its families into cloudcore's /metrics at scrape time.
const registry = new Registry();
const stop = new AbortController();

port.on('message', (message: HostMessage) => {
  switch (message.type) {
    case 'stop':
      stop.abort();
      return;
    case 'collect':
      registry.getMetricsAsJSON().then(
        (metrics) => send({ type: 'metrics', id: message.id, metrics }),
        (error: unknown) => {
          log.warn({ err: error }, 'collecting metrics failed');
          send({ type: 'metrics', id: message.id, metrics: [] });
        },
      );
      return;
  }
});

createControllerManager({ kubeconfigPath: data.kubeconfigPath, log, registry, options: data.options })
  .start(stop.signal)
  .then(
    () => send(stop.signal.aborted ? { type: 'stopped' } : { type: 'failed', error: serializeError(new Error('the controller manager returned before being stopped')) }),
    (error: unknown) => send({ type: 'failed', error: serializeError(error) }),
  )
  // Nothing more to say; the host ends the thread (timers or sockets left behind must not keep it alive).
  .finally(() => port.close());
