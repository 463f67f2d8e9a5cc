/**
 * What edged reads, asked of metamanager by message: the pods bound to this node (from the local store, so a restart
 * while offline still knows them) and the configmaps and secrets they use (from the cloud while connected, else the
 * store). edged never opens the database itself: metamanager is its only owner.
 */
import { newMessage, Operation, readErrorContent, readJsonContent, type Message } from '../../pkg/message';
import type { ModuleContext } from '../../pkg/modules';
import type { ConfigMap, Pod, Secret } from './api';

export const EDGED = 'edged';
const METAMANAGER = 'metamanager';

/** The part of the module context the client needs. */
export type SyncSender = Pick<ModuleContext, 'sendSync'>;

export class MetaQueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'MetaQueryError';
  }
}

export class MetaClient {
  constructor(
    private readonly ctx: SyncSender,
    /** Longest wait for an answer; metamanager itself waits up to remoteQueryTimeout for the cloud. */
    private readonly timeoutMs: number,
  ) {}

  /** Every pod in the store, all namespaces (`/pod`). */
  async pods(): Promise<Pod[]> {
    const value = await this.ask(Operation.OPERATION_LIST, '/pod');
    if (!Array.isArray(value)) throw new MetaQueryError('INVALID', 'metamanager answered the pod list with something other than a JSON array');
    return value as Pod[];
  }

  configMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    return this.object<ConfigMap>(`${namespace}/configmap/${name}`);
  }

  secret(namespace: string, name: string): Promise<Secret | undefined> {
    return this.object<Secret>(`${namespace}/secret/${name}`);
  }

  private async object<T>(resource: string): Promise<T | undefined> {
    try {
      return (await this.ask(Operation.OPERATION_QUERY, resource)) as T;
    } catch (error) {
      if (error instanceof MetaQueryError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  private async ask(operation: Operation, resource: string): Promise<unknown> {
    const request = newMessage({ source: EDGED, group: 'meta', operation, resource });
    const answer: Message = await this.ctx.sendSync(METAMANAGER, request, this.timeoutMs);
    if (answer.route?.operation === Operation.OPERATION_ERROR) {
      const { message, code } = readErrorContent(answer);
      throw new MetaQueryError(code ?? 'ERROR', `metamanager could not answer ${resource}: ${message}`);
    }
    return readJsonContent(answer);
  }
}
