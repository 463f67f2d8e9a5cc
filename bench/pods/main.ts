/**
 * Pod benchmark (issue #5): real processes on this machine, as the system tests run them (compiled, from dist/):
 * a private containerd with the local busybox and pause images, cloudcore (embedded API server and controllers),
 * edgecore with edged, and the real kubectl.
 *
 *   idle        edgecore RSS with the node Ready and no pod                                 goal <= 60 MB
 *   sequential  BENCH_SEQUENTIAL_PODS (20) pods one at a time, kubectl apply -> Running     goal p99 < 800 ms
 *               and edgecore RSS with those pods                                           goal <= 60 MB
 *   burst       BENCH_BURST_PODS (50) pods in one kubectl apply: p50, p99, all Running      goal all <= 15 s
 *   restart     edgecore killed until the node is Unknown, started with the burst pods     goal Ready <= 2 s
 *
 * Other settings: BENCH_SETTLE_MS (10000, quiet time before a memory reading), BENCH_NODE_STATUS_FREQUENCY (10s),
 * BENCH_NODE_GRACE_PERIOD (15s), BENCH_STEP_TIMEOUT_MS (120000), BENCH_LOG_LEVEL (info; debug with SYSTEM_TEST_KEEP=1
 * keeps the logs, BENCH_MARKS=<file> writes each pod's applied/seen/bound/running times, with the `trace:` lines that bench/pods/trace.ts turns into a per-step breakdown). BENCH_QUICK=1 runs a small version (5 and 10 pods).
 * Needs root and containerd (pkg/containerd/install.sh). Ends with one line `RESULT key=value ...`.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { formatTable, resultLine } from '../report';
import { kubeClient } from '../../pkg/testing/system/cluster';
import { SystemTest } from '../../pkg/testing/system/harness';
import { EdgeNodeSetup } from '../../pkg/testing/system/pods';
import { BENCH_LABEL, measureBurst, measureDelete, measureIdle, measureRestart, measureSequential, type PodBench } from './phases';
import { PodWatch } from './pod-watch';
import { exitOnError, runPhases, type PhasesOutcome } from '../phases';
import { readSettings } from './settings';

const NODE = 'bench-edge';

function progress(text: string): void {
  process.stderr.write(`[bench-pods] ${text}\n`);
}

async function main(): Promise<void> {
  const settings = readSettings();
  const notes = [`load average at start ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores (containerd, cloudcore, edgecore, kubectl and this process share them)`];
  const sys = await SystemTest.create('bench-pods');
  // Ctrl-C: stop what was started (containerd and its shims too), not only this process.
  const interrupted = (): void => {
    progress('interrupted; stopping every process started');
    void sys.dispose().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  let outcome: PhasesOutcome = { rows: [], figures: {}, failed: false };
  let watch: PodWatch | undefined;
  try {
    progress('starting containerd, cloudcore and edgecore (edged)');
    const containerd = await sys.startContainerd();
    const setup = await EdgeNodeSetup.start(sys, {
      node: NODE,
      containerd,
      cloud: { nodeMonitorGracePeriod: settings.nodeMonitorGracePeriod, logLevel: settings.logLevel },
      edge: {
        logLevel: settings.logLevel,
        auditStore: false,
        edged: { containerRuntimeEndpoint: containerd.endpoint, nodeStatusUpdateFrequency: settings.nodeStatusUpdateFrequency },
      },
    });
    const client = kubeClient(setup.cloud.kubeconfig);
    watch = new PodWatch(client, 'default', `${BENCH_LABEL}=pods`);
    await watch.start();
    const bench: PodBench = { settings, setup, watch, client, notes, progress };
    outcome = await runPhases([measureIdle, measureSequential, measureDelete, measureBurst, measureRestart], bench, {
      notes,
      progress: (line) => progress(`${line}\n${sys.tails(15)}`),
      // Each phase builds on the pods and state the one before left.
      stopAfter: () => true,
    });
  } catch (error) {
    outcome.failed = true;
    notes.push(`setup failed: ${(error as Error).message.split('\n')[0]}`);
    progress(`setup failed: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await watch?.stop();
    if (watch && process.env.BENCH_MARKS) writeFileSync(process.env.BENCH_MARKS, JSON.stringify(watch.marks(), null, 1));
    progress('stopping edgecore, cloudcore and containerd (removing every pod sandbox)');
    await sys.dispose();
  }

  const mode = settings.quick ? ' (BENCH_QUICK)' : '';
  const { rows, figures, failed } = outcome;
  process.stdout.write(formatTable(`Pods at the edge${mode}: one edge node, real containerd (CRI), cloudcore with its embedded API server, kubectl`, rows));
  process.stdout.write(notes.map((n) => `note: ${n}`).join('\n') + '\n\n');
  console.log(resultLine(figures));
  if (failed) process.exitCode = 1;
}

main().catch(exitOnError('bench-pods'));
