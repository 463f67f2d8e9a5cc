/**
 * The upstream half of DeviceController: twin and state reports from edge nodes (see upstream-content.ts for the
 * formats), checked against the cluster (the Device exists and is bound to the reporting node) and handed to the
 * status writer, which merge-patches the Device's DeviceStatus. A refused report is logged with the node, the device
 * and what to fix, and counted; it never affects other devices. A sync request is answered once its report is
 * written (or refused).
 */
import type { Logger } from 'pino';
import type { Device } from '../../pkg/devices';
import type { CacheReader } from '../../pkg/kube';
import { jsonContent, newErrorResponse, newResponse, Operation, operationName, type Message } from '../../pkg/message';
import { DeviceReportError } from './errors';
import type { DeviceControllerMetrics } from './metrics';
import type { StatusWriter } from './status-writer';
import type { StatusReport } from './status-report';
import { BATCH_RESOURCE, entryContent, parseReportResource, readBatch, readReport, readReportContent, type DeviceReportTarget } from './upstream-content';

export interface UpstreamOptions {
  devices: CacheReader<Device>;
  writer: Pick<StatusWriter, 'offer'>;
  /** Sends an answer towards the edge (to CloudHub). */
  answer(message: Message): Promise<void>;
  metrics: DeviceControllerMetrics;
  log: Logger;
}

export class Upstream {
  constructor(private readonly options: UpstreamOptions) {}

  /** Handles one report (or a batch of them) from `node` about `rest` (the resource after `node/<node>/`). Never throws. */
  handle(node: string, rest: string, message: Message): void {
    if (rest === BATCH_RESOURCE && node !== '') {
      this.handleBatch(node, rest, message);
      return;
    }
    let type = 'other';
    try {
      if (node === '') throw new DeviceReportError('unsupported', `route.resource ${JSON.stringify(rest)}: does not start with node/<node>/ (CloudHub adds it)`);
      const target = parseReportResource(rest);
      type = target.type;
      const sync = message.header?.sync === true;
      this.accept(node, target, () => readReport(target.type, message), sync ? (error) => this.answer(node, rest, message, error) : undefined);
    } catch (error) {
      this.refuse(node, rest, type, message, error);
    }
  }

  /** Each entry stands alone: a refused one is logged and counted, the others are written. */
  private handleBatch(node: string, rest: string, message: Message): void {
    let entries;
    try {
      entries = readBatch(message);
    } catch (error) {
      this.refuse(node, rest, 'batch', message, error);
      return;
    }
    const written: Promise<unknown>[] = [];
    for (const entry of entries) {
      const { type, namespace, name } = entry.target;
      let settle!: (error: unknown) => void;
      const settled = new Promise<unknown>((resolve) => (settle = resolve));
      try {
        this.accept(node, entry.target, () => readReportContent(type, entryContent(entry)), settle);
        written.push(settled);
      } catch (error) {
        this.refuse(node, `device/${namespace}/${name}/${type}`, type, { ...message, header: { ...message.header!, sync: false } }, error);
      }
    }
    if (message.header?.sync) void Promise.all(written).then((errors) => this.answer(node, rest, message, errors.find((error) => error !== undefined)));
  }

  /** Checks that `node` may report on the device, then hands the report to the writer. Throws DeviceReportError. */
  private accept(node: string, target: DeviceReportTarget, read: () => StatusReport, done: ((error: unknown) => void) | undefined): void {
    const key = `${target.namespace}/${target.name}`;
    const device = this.options.devices.get(key);
    if (device === undefined) {
      throw new DeviceReportError('unknown_device', `device ${key} does not exist; a node reports only on Devices bound to it (spec.nodeName)`);
    }
    const boundTo = device.spec?.nodeName ?? '';
    if (boundTo !== node) {
      const where = boundTo === '' ? 'is bound to no node' : `is bound to node ${boundTo}`;
      throw new DeviceReportError('other_node', `device ${key} ${where}, not ${node}; only the node in its spec.nodeName may report on it`);
    }
    this.options.writer.offer(key, read(), done);
    this.options.metrics.report(target.type, 'accepted');
  }

  private refuse(node: string, rest: string, type: string, message: Message, error: unknown): void {
    const code = error instanceof DeviceReportError ? error.code : 'invalid';
    this.options.metrics.report(type, code);
    const operation = operationName(message.route?.operation ?? Operation.OPERATION_UNSPECIFIED);
    this.options.log.warn({ node, resource: rest, operation, reason: code, err: error }, `device report refused: ${(error as Error).message}`);
    if (message.header?.sync) this.reply(newErrorResponse(message, error));
  }

  /** The answer to a sync report, once it is written or has failed. */
  private answer(node: string, rest: string, message: Message, error: unknown): void {
    if (error === undefined) {
      this.reply(newResponse(message, jsonContent('OK')));
      return;
    }
    this.options.log.warn({ node, resource: rest, err: error }, 'device report not written');
    this.reply(newErrorResponse(message, error));
  }

  private reply(answer: Message): void {
    this.options.answer(answer).catch((error: unknown) => {
      this.options.log.warn({ resource: answer.route?.resource, err: error }, 'could not send an answer to the edge');
    });
  }
}
