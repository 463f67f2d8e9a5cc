/**
 * Load generator process: simulates a slice of the edge nodes (bench/tunnel/edge-node.ts), each with its cached
 * client certificate, and answers the orchestrator's requests over IPC. Several of these run side by side, so that
 * no one process holds more sockets than its open-file limit allows or more work than one event loop can do.
 */
import { credentials } from '@grpc/grpc-js';
import { sleep } from '../../pkg/timing';
import { EdgeCounters, EdgeNode } from './edge-node';
import { serveRequests } from './ipc';
import { takeLoopDelay } from './loop-delay';
import { nodeName, readNodeCertificates, readPki } from './pki-cache';

export type ShardRequest =
  | { kind: 'start'; address: string; heartbeatMs: number; first: number; count: number }
  | { kind: 'stats' }
  | { kind: 'keep'; count: number }
  | { kind: 'latencies' }
  | { kind: 'resetResynced' }
  | { kind: 'loopDelay' };

export interface ShardStats {
  started: number;
  open: number;
  sessionsOpened: number;
  sessionsFailed: number;
  received: EdgeCounters['received'];
  acksSent: number;
  misdelivered: number;
  undecodable: number;
  resynced: number;
  cpuSeconds: number;
  rssBytes: number;
}

/** TLS handshakes a shard has in progress at once while it brings its nodes up. */
const CONNECTING_AT_ONCE = 128;

const counters = new EdgeCounters();
const nodes: EdgeNode[] = [];
/** Nodes started so far (each started node is connecting, open or waiting to reconnect). */
let launched = 0;

async function start(request: Extract<ShardRequest, { kind: 'start' }>): Promise<void> {
  const { ca } = readPki();
  const rootCert = Buffer.from(ca.certPem);
  const pairs = readNodeCertificates(request.first, request.count);
  const first = nodes.length;
  pairs.forEach((pair, i) => {
    const creds = credentials.createSsl(rootCert, Buffer.from(pair.keyPem), Buffer.from(pair.certPem));
    nodes.push(new EdgeNode({ name: nodeName(request.first + i), address: request.address, credentials: creds, heartbeatMs: request.heartbeatMs, counters }));
  });
  // Bring them up a few at a time in the background; the orchestrator watches the cloud's count.
  void (async () => {
    for (const node of nodes.slice(first)) {
      while (launched - counters.open >= CONNECTING_AT_ONCE) await sleep(2);
      node.start();
      launched++;
    }
  })();
}

function stats(): ShardStats {
  const cpu = process.cpuUsage();
  return {
    started: launched,
    open: counters.open,
    sessionsOpened: counters.sessionsOpened,
    sessionsFailed: counters.sessionsFailed,
    received: { ...counters.received },
    acksSent: counters.acksSent,
    misdelivered: counters.misdelivered,
    undecodable: counters.undecodable,
    resynced: counters.resynced.size,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssBytes: process.memoryUsage.rss(),
  };
}

serveRequests<ShardRequest>(async (request) => {
  switch (request.kind) {
    case 'start':
      return start(request);
    case 'stats':
      return stats();
    case 'keep':
      // Stops the nodes beyond the first `count`: their connections close, as a node that shuts down.
      for (const node of nodes.splice(request.count)) node.stop();
      launched = Math.min(launched, nodes.length);
      return undefined;
    case 'latencies': {
      const values = Array.from(counters.latenciesMs.subarray(0, counters.latencyCount));
      counters.latencyCount = 0;
      return values;
    }
    case 'resetResynced':
      counters.resynced.clear();
      return undefined;
    case 'loopDelay':
      return takeLoopDelay();
  }
});
