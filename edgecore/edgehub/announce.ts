/**
 * Tells the edge modules that care whether the cloud is reachable (KubeEdge's "connect" message on resource
 * node/connection). Only modules that exist are told: a module that is not registered (not enabled) or has stopped is
 * skipped without a word, since that is a configuration choice, not a fault.
 */
import type { Logger } from '../../pkg/log';
import { jsonContent, newMessage, type Message } from '../../pkg/message';
import { ModuleError } from '../../pkg/modules';

export type ConnectionEvent = 'cloud_connected' | 'cloud_disconnected';

/** The modules told about the connection, with their groups. */
export const CONNECTION_LISTENERS: readonly { module: string; group: string }[] = [
  { module: 'metamanager', group: 'meta' },
  { module: 'devicetwin', group: 'twin' },
  { module: 'eventbus', group: 'bus' },
  { module: 'edged', group: 'edged' },
];

export const CONNECTION_RESOURCE = 'node/connection';

export function announceConnection(
  event: ConnectionEvent,
  send: (destination: string, message: Message) => Promise<void>,
  log: Logger,
): void {
  for (const { module, group } of CONNECTION_LISTENERS) {
    const message = newMessage({
      source: 'edgehub',
      destination: module,
      group,
      operation: 'connect',
      resource: CONNECTION_RESOURCE,
      ...jsonContent(event),
    });
    // Not awaited: a busy module must not hold up the connection. Inbox order still puts this message before any
    // cloud message dispatched after it.
    send(module, message).catch((error: unknown) => {
      if (error instanceof ModuleError && ['UNKNOWN_MODULE', 'NOT_RUNNING', 'STOPPED'].includes(error.code)) return;
      log.warn({ err: error, module }, `could not tell ${module} that the connection changed (${event})`);
    });
  }
}
