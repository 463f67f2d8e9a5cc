/**
 * Edge-to-cloud messages: authorize, add the `node/<node>/` prefix, hand to the cloud module for the group, and
 * answer with an Ack once that module has taken it (an error Ack when refused or when no module takes it).
 * Answers to the cloud's own queries (RESPONSE / ERROR with a parent id) complete the waiting sendSync instead.
 */
import type { Ack } from '../../gen/kubeedge/tunnel/v1/tunnel';
import type { Logger } from '../../pkg/log';
import { nodeResource, Operation, operationName, type Message } from '../../pkg/message';
import type { ModuleContext } from '../../pkg/modules';
import type { NodeAuthorizer } from './authorizer';
import type { CloudHubMetrics } from './metrics';
import { withResource } from './resource';
import { isModuleAbsent, isRuntimeStopping, UPSTREAM_ROUTES } from './routes';

/** The part of the module context the hub uses. */
export type ModulePort = Pick<ModuleContext, 'send' | 'respond'>;

export interface UpstreamOptions {
  readonly authorizer: NodeAuthorizer;
  readonly metrics: CloudHubMetrics;
  readonly log: Logger;
}

export class Upstream {
  constructor(private readonly options: UpstreamOptions) {}

  /** Resolves with the ack for the edge; never rejects. */
  async handle(node: string, message: Message, port: ModulePort | undefined): Promise<Ack> {
    this.options.metrics.upstream();
    try {
      return await this.route(node, message, port);
    } catch (error) {
      this.options.log.error({ node, err: error }, 'failed to handle an upstream message');
      return ackFor(message, `cloudcore failed to handle the message: ${(error as Error).message}`);
    }
  }

  private async route(node: string, message: Message, port: ModulePort | undefined): Promise<Ack> {
    const route = message.route!;
    if (route.operation === Operation.OPERATION_KEEPALIVE) return ackFor(message);
    const isAnswer =
      (route.operation === Operation.OPERATION_RESPONSE || route.operation === Operation.OPERATION_ERROR) &&
      message.header!.parentId !== '';
    const target = UPSTREAM_ROUTES[route.group];
    if (!isAnswer && target === undefined) {
      return ackFor(message, `route.group: no cloud module handles group ${JSON.stringify(route.group)}; use resource, twin or user`);
    }
    const decision = await this.options.authorizer.authorize(node, message);
    if (!decision.allowed) {
      this.options.metrics.refused(decision.reason);
      this.options.log.warn(
        { node, resource: route.resource, operation: operationName(route.operation), reason: decision.reason },
        `refused: ${decision.message}`,
      );
      return ackFor(message, `forbidden: ${decision.message}`);
    }
    if (port === undefined) return ackFor(message, 'cloudcore is not ready to take messages; resend later');
    const prefixed = withResource(message, nodeResource(node, route.resource));
    if (isAnswer) {
      port.respond(prefixed);
      return ackFor(message);
    }
    try {
      await port.send(target!.module, prefixed);
    } catch (error) {
      if (isModuleAbsent(error)) {
        return ackFor(
          message,
          `no cloud module handles group ${route.group}: ${target!.module} is not running (enable modules.${target!.configName})`,
        );
      }
      if (isRuntimeStopping(error)) return ackFor(message, 'cloudcore is shutting down; resend later');
      throw error;
    }
    return ackFor(message);
  }
}

function ackFor(message: Message, error = ''): Ack {
  return { messageId: message.header!.id, resourceVersion: message.header!.resourceVersion, error };
}
