/**
 * aedes' in-memory persistence with KubeEdge's mqttSessionQueueSize: a client with a persistent session
 * (clean=false) that is offline gets at most `limit` QoS 1/2 messages queued for it; newer ones are dropped for that
 * client (counted, reported once per client until its queue drains), never for the others. Connected clients are not
 * limited here: their queue is the messages in flight, which TCP and aedes' drainTimeout bound.
 *
 * The count per client follows aedes' calls: +1 for each enqueue, -1 for each message it clears (acknowledged,
 * or discarded when the client comes back with a clean session).
 */
import { loadMemoryPersistence, type MemoryPersistence } from './aedes';

export interface BoundedPersistenceOptions {
  /** mqttSessionQueueSize. */
  limit: number;
  /** A message was not queued for `clientId`; `first` is true for the first drop since its queue last had room. */
  onDrop(clientId: string, first: boolean): void;
}

/** Built on first use, since its base class comes with aedes, which is loaded only when the internal broker runs. */
let BoundedPersistence: (new (bound: BoundedPersistenceOptions) => MemoryPersistence) | undefined;

export function createBoundedPersistence(bound: BoundedPersistenceOptions): MemoryPersistence {
  BoundedPersistence ??= defineBoundedPersistence();
  return new BoundedPersistence(bound);
}

function defineBoundedPersistence(): new (bound: BoundedPersistenceOptions) => MemoryPersistence {
  return class BoundedPersistence extends loadMemoryPersistence() {
    private readonly queued = new Map<string, number>();
    private readonly full = new Set<string>();

    constructor(private readonly bound: BoundedPersistenceOptions) {
      super();
    }

    override async outgoingEnqueue(sub: { clientId: string }, packet: unknown): Promise<void> {
      if (!this.admit(sub.clientId)) return;
      await super.outgoingEnqueue(sub, packet);
    }

    override async outgoingEnqueueCombi(subs: readonly { clientId: string }[], packet: unknown): Promise<void> {
      const admitted = subs.filter((sub) => this.admit(sub.clientId));
      if (admitted.length > 0) await super.outgoingEnqueueCombi(admitted, packet);
    }

    override async outgoingClearMessageId(client: { id: string }, packet: unknown): Promise<unknown> {
      const cleared = await super.outgoingClearMessageId(client, packet);
      if (cleared !== undefined) {
        const left = Math.max((this.queued.get(client.id) ?? 1) - 1, 0);
        if (left === 0) this.queued.delete(client.id);
        else this.queued.set(client.id, left);
        if (left < this.bound.limit) this.full.delete(client.id);
      }
      return cleared;
    }

    /** Counts the message in, or says no when the client is offline and its queue is full. */
    private admit(clientId: string): boolean {
      const count = this.queued.get(clientId) ?? 0;
      const online = this.broker?.clients[clientId]?.connected === true;
      if (!online && count >= this.bound.limit) {
        const first = !this.full.has(clientId);
        this.full.add(clientId);
        this.bound.onDrop(clientId, first);
        return false;
      }
      this.queued.set(clientId, count + 1);
      return true;
    }
  };
}
