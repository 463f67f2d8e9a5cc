/**
 * Marks each Node with the cloudcore that holds its tunnel (annotation `cloudcore: <holderId>`), so other replicas
 * (and people) can tell where a node is connected. A Node that does not exist yet is annotated later, when its first
 * status arrives (the hub retries then).
 */
import { isNotFound, RESOURCES, type Client } from '../../pkg/kube';
import type { Logger } from '../../pkg/log';

export const HOLDER_ANNOTATION = 'cloudcore';

export interface NodeAnnotator {
  /** True once the Node carries this cloudcore's annotation; false when it does not exist yet or the call failed. */
  annotate(node: string): Promise<boolean>;
}

export function createNodeAnnotator(client: Client, holderId: string, log: Logger): NodeAnnotator {
  const nodes = client.resource(RESOURCES.nodes);
  const patch = { metadata: { annotations: { [HOLDER_ANNOTATION]: holderId } } };
  return {
    async annotate(node) {
      try {
        await nodes.patch(node, patch, { type: 'merge' });
        return true;
      } catch (error) {
        if (isNotFound(error)) {
          log.debug({ node }, 'Node does not exist yet; annotating it when its status arrives');
        } else {
          log.warn({ node, err: error }, `cannot annotate Node with ${HOLDER_ANNOTATION}=${holderId}; retrying when its status arrives`);
        }
        return false;
      }
    },
  };
}
