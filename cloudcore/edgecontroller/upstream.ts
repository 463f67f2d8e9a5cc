/**
 * The upstream half of EdgeController: what edge nodes report, as CloudHub hands it over (resource
 * `node/<node>/<namespace>/<type>/<name>`, already authorized: a node only reports on itself and its pods). Each
 * kind of report has its own small module; this one routes, answers sync requests, and owns the write queues.
 *
 * | operation      | resource (after `node/<node>/`)      | content                                   | handling                      |
 * |----------------|--------------------------------------|-------------------------------------------|-------------------------------|
 * | insert (sync)  | `<ns>/node/<node>`                   | Node                                      | create or merge labels; answers the Node |
 * | update         | `<ns>/nodestatus/<node>`             | `{ "status": NodeStatus }`                | status merge patch, coalesced |
 * | update, insert | `kube-node-lease/lease/<node>`       | Lease                                     | create or patch, coalesced    |
 * | update         | `<ns>/podstatus/<pod>`               | `{ "metadata": { "uid" }, "status" }`     | status PUT if uid matches, coalesced |
 * | insert, update | `<ns>/event/<name>`                  | Event                                     | create, or count a repeat     |
 * | delete         | `<ns>/pod/<pod>`                     | `{ "metadata": { "uid" } }`               | delete, grace 0, uid precondition |
 * | query, get     | `<ns>/{configmap,secret}/<name>`     | none                                      | from the informer cache       |
 * | query, list    | `<ns>/{configmap,secret}`            | none                                      | JSON array, from the cache    |
 * | query, get     | `<ns>/node/<node>`                   | none                                      | from the API server           |
 * | query, get     | `<ns>/serviceaccounttoken/<sa>`      | optional TokenRequest                     | TokenRequest API              |
 *
 * `<ns>` for node, nodestatus is registerNodeNamespace (ignored: nodes are cluster-scoped). A sync request is answered
 * with RESPONSE (the object, or "OK" once a write is done) or ERROR `{message, code}`; anything else is refused with
 * an ERROR naming what is supported when sync, and a warning log and a metric otherwise: never dropped silently.
 * Answers go to CloudHub as messages with the request's id as parent id; CloudHub routes them to the node.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Event, Lease, NodeStatus } from '../../edgecore/edged/api';
import type { CacheReader, Client, KubeObject } from '../../pkg/kube';
import {
  jsonContent,
  newErrorResponse,
  newResponse,
  Operation,
  operationName,
  parseEdgeResource,
  type EdgeResource,
  type Message,
} from '../../pkg/message';
import { CoalescingWriter, type Done } from './coalescing-writer';
import { readEvent, readLease, readNode, readNodeStatus, readPodStatus, readPodUid, type PodStatusReport } from './upstream-content';
import { answerError, UpstreamError } from './upstream-errors';
import { eventWrite } from './upstream-events';
import { leaseWrite, NODE_LEASE_NAMESPACE } from './upstream-lease';
import { createUpstreamMetrics, type UpstreamMetrics } from './upstream-metrics';
import { nodeStatusWrite, registerNode } from './upstream-node';
import { podDeleteWrite } from './upstream-pod-delete';
import { podStatusWrite } from './upstream-pod-status';
import { answerQuery } from './upstream-queries';

export const SUPPORTED_REPORTS =
  'insert <ns>/node/<node> (sync), update <ns>/nodestatus/<node>, update kube-node-lease/lease/<node>, ' +
  'update <ns>/podstatus/<pod>, insert <ns>/event/<name>, delete <ns>/pod/<pod>, ' +
  'query or get <ns>/configmap/<name>, <ns>/secret/<name>, <ns>/serviceaccounttoken/<name>, <ns>/node/<node>, ' +
  'query or list <ns>/configmap, <ns>/secret';

/** A list of configmaps or secrets in one namespace (metamanager forwards such lists while connected). */
function isListQuery(resource: EdgeResource, message: Message): boolean {
  const operation = message.route?.operation;
  return (
    resource.namespace !== '' &&
    (resource.type === 'configmap' || resource.type === 'secret') &&
    (operation === Operation.OPERATION_QUERY || operation === Operation.OPERATION_LIST)
  );
}

export interface UpstreamCaches {
  /** Edge nodes (for the Lease's owner uid). */
  nodes: CacheReader<KubeObject>;
  pods: CacheReader<KubeObject>;
  configMaps: CacheReader<KubeObject>;
  secrets: CacheReader<KubeObject>;
}

export interface UpstreamOptions {
  client: Client;
  caches: UpstreamCaches;
  /** Sends an answer towards the edge (to CloudHub). */
  answer(message: Message): Promise<void>;
  log: Logger;
  registry?: Registry;
  /** Writes in flight at once per kind of report. Default 4. */
  workersPerQueue?: number;
  /** Sync requests (registrations, queries, sync writes) handled at once; more are answered BUSY. Default 256. */
  maxSyncInFlight?: number;
}

export class Upstream {
  private readonly metrics: UpstreamMetrics;
  private readonly nodeStatus: CoalescingWriter<NodeStatus>;
  private readonly leases: CoalescingWriter<Lease['spec']>;
  private readonly podStatus: CoalescingWriter<PodStatusReport>;
  private readonly events: CoalescingWriter<Event>;
  private readonly podDeletes: CoalescingWriter<string>;
  private readonly maxSyncInFlight: number;
  private syncInFlight = 0;
  private signal: AbortSignal = new AbortController().signal;

  constructor(private readonly options: UpstreamOptions) {
    const { client, caches, log, registry } = options;
    this.metrics = createUpstreamMetrics(registry);
    this.maxSyncInFlight = options.maxSyncInFlight ?? 256;
    const writer = <V>(name: string, write: (key: string, value: V, signal: AbortSignal) => Promise<void>): CoalescingWriter<V> =>
      new CoalescingWriter<V>({
        name,
        write,
        metrics: this.metrics,
        log,
        workers: options.workersPerQueue ?? 4,
        ...(registry ? { registry } : {}),
      });
    const deps = { client, pods: caches.pods, metrics: this.metrics, log };
    this.nodeStatus = writer('nodestatus', nodeStatusWrite(client));
    this.leases = writer('lease', leaseWrite(client, (name) => caches.nodes.get(name)?.metadata?.uid));
    this.podStatus = writer('podstatus', podStatusWrite(deps));
    this.events = writer('event', eventWrite(client));
    this.podDeletes = writer('poddelete', podDeleteWrite(deps));
  }

  /** Runs the write queues until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    await Promise.all([this.nodeStatus, this.leases, this.podStatus, this.events, this.podDeletes].map((w) => w.run(signal)));
  }

  /** Handles one report from `node` about `rest` (`<namespace>/<type>/<name>`). Never throws. */
  handle(node: string, rest: string, message: Message): void {
    const sync = message.header?.sync === true;
    const resource = parseEdgeResource(rest);
    const type = resource?.type ?? 'invalid';
    this.options.log.debug({ node, resource: rest }, 'trace: report');
    try {
      if (!resource || (resource.name === '' && !isListQuery(resource, message))) {
        throw new UpstreamError('INVALID', `route.resource ${JSON.stringify(rest)} does not name one object; edgecontroller takes ${SUPPORTED_REPORTS}`);
      }
      if (sync) {
        if (this.syncInFlight >= this.maxSyncInFlight) {
          throw new UpstreamError('BUSY', `edgecontroller is handling ${this.syncInFlight} requests from edge nodes; retry`);
        }
        this.syncInFlight++;
        void this.handleSync(node, rest, resource, message).finally(() => this.syncInFlight--);
        return;
      }
      // Registrations and queries sent without sync still run; only a failure has nobody to tell but the log.
      this.route(resource, message)?.catch((error: unknown) => this.refuse(node, rest, type, message, error));
      this.metrics.report(type, 'accepted');
    } catch (error) {
      this.refuse(node, rest, type, message, error);
    }
  }

  /** A sync request: the answer says how it went. */
  private async handleSync(node: string, rest: string, resource: EdgeResource, message: Message): Promise<void> {
    try {
      const value = await this.route(resource, message);
      this.metrics.report(resource.type, 'answered');
      await this.send(newResponse(message, jsonContent(value ?? 'OK')));
    } catch (error) {
      this.refuse(node, rest, resource.type, message, error);
    }
  }

  /** Does what the report asks; resolves with the answer for a sync request (writes: once written). */
  private route(resource: EdgeResource, message: Message): Promise<unknown> | undefined {
    const { namespace, type, name } = resource;
    const operation = message.route!.operation;
    const key = `${namespace}/${name}`;
    const isRead = operation === Operation.OPERATION_QUERY || operation === Operation.OPERATION_GET || operation === Operation.OPERATION_LIST;
    const is = (...operations: Operation[]): boolean => operations.includes(operation);
    switch (type) {
      case 'node':
        if (is(Operation.OPERATION_INSERT)) return this.register(name, message);
        if (isRead) return answerQuery(this.queryDeps(), resource, message, this.signal);
        break;
      case 'nodestatus':
        if (is(Operation.OPERATION_UPDATE)) return this.write(this.nodeStatus, name, readNodeStatus(message), message);
        break;
      case 'lease':
        if (is(Operation.OPERATION_UPDATE, Operation.OPERATION_INSERT)) {
          if (namespace !== NODE_LEASE_NAMESPACE) throw new UpstreamError('INVALID', `route.resource: node leases live in ${NODE_LEASE_NAMESPACE}, not ${namespace}`);
          return this.write(this.leases, name, readLease(message), message);
        }
        break;
      case 'podstatus':
        if (is(Operation.OPERATION_UPDATE)) return this.write(this.podStatus, key, readPodStatus(message), message);
        break;
      case 'event':
        if (is(Operation.OPERATION_INSERT, Operation.OPERATION_UPDATE)) return this.write(this.events, key, readEvent(message), message);
        break;
      case 'pod':
        if (is(Operation.OPERATION_DELETE)) return this.write(this.podDeletes, key, readPodUid(message), message);
        break;
      case 'configmap':
      case 'secret':
      case 'serviceaccounttoken':
        if (isRead) return answerQuery(this.queryDeps(), resource, message, this.signal);
        break;
    }
    throw new UpstreamError('UNSUPPORTED', `edgecontroller does not handle ${operationName(operation)} of ${type}; it takes ${SUPPORTED_REPORTS}`);
  }

  private async register(name: string, message: Message): Promise<unknown> {
    const node = readNode(message, name);
    const { stored, created } = await registerNode(this.options.client, name, node, this.signal);
    // A re-registering node's status joins the status queue: a restarted node shows Ready without waiting for its
    // next status report.
    if (!created && node.status) this.nodeStatus.offer(name, node.status);
    return stored;
  }

  /** Queues a write; for a sync request, the promise settles when it is done. */
  private write<V>(writer: CoalescingWriter<V>, key: string, value: V, message: Message): Promise<unknown> | undefined {
    if (!message.header?.sync) {
      writer.offer(key, value);
      return undefined;
    }
    return new Promise((resolve, reject) => {
      const done: Done = (error) => (error === undefined ? resolve('OK') : reject(error));
      writer.offer(key, value, done);
    });
  }

  private queryDeps() {
    const { client, caches } = this.options;
    return { client, configMaps: caches.configMaps, secrets: caches.secrets };
  }

  private refuse(node: string, rest: string, type: string, message: Message, error: unknown): void {
    this.metrics.report(type, 'refused');
    const operation = operationName(message.route?.operation ?? Operation.OPERATION_UNSPECIFIED);
    this.options.log.warn({ node, resource: rest, operation, err: error }, 'edge report refused');
    if (message.header?.sync) void this.send(newErrorResponse(message, answerError(error)));
  }

  private async send(answer: Message): Promise<void> {
    try {
      await this.options.answer(answer);
    } catch (error) {
      this.options.log.warn({ resource: answer.route?.resource, err: error }, 'could not send an answer to the edge');
    }
  }
}
