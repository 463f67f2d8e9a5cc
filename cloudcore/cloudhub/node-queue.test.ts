/** NodeQueue's rules, with a hand-driven clock. */
import { newMessage, Operation, type Message, type OperationName } from '../../pkg/message';
import { NodeQueue, type NodeQueueLimits } from './node-queue';

const LIMITS: NodeQueueLimits = {
  windowSize: 2,
  maxPending: 4,
  resendIntervalMs: 100,
  maxSends: 3,
  requeueBackoff: { initialMs: 1000, maxMs: 1000, jitter: 0 },
};

const msg = (name: string, resourceVersion: string, operation: OperationName = 'update'): Message =>
  newMessage({ source: 'test', group: 'resource', operation, resource: `node/n/default/pod/${name}`, resourceVersion });

/** Takes everything the queue hands out now. */
function drain(queue: NodeQueue, nowMs = 0): Message[] {
  const out: Message[] = [];
  for (let m = queue.next(nowMs); m !== undefined; m = queue.next(nowMs)) out.push(m);
  return out;
}

const versions = (messages: Message[]) => messages.map((m) => `${m.route!.resource.split('/').pop()}@${m.header!.resourceVersion}`);

describe('NodeQueue', () => {
  it('keeps only the newest waiting version of an object and drops older or equal ones', () => {
    const queue = new NodeQueue(LIMITS);
    expect(queue.offer('a', msg('a', '5'))).toBe('queued');
    expect(queue.offer('a', msg('a', '7'))).toBe('replaced');
    expect(queue.offer('a', msg('a', '6'))).toBe('stale');
    expect(queue.offer('a', msg('a', '7'))).toBe('stale');
    expect(queue.pending).toBe(1);
    const [sent] = drain(queue);
    expect(versions([sent!])).toEqual(['a@7']);
    // Nothing older than what is in flight gets queued; something newer waits behind it.
    expect(queue.offer('a', msg('a', '7'))).toBe('stale');
    expect(queue.offer('a', msg('a', '8'))).toBe('queued');
    expect(drain(queue)).toEqual([]);
    expect(queue.acknowledge(sent!.header!.id)).toBe(sent);
    expect(versions(drain(queue))).toEqual(['a@8']);
  });

  it('keeps deletes: a delete replaces a waiting update, a recreated object waits behind the delete', () => {
    const queue = new NodeQueue(LIMITS);
    queue.offer('a', msg('a', '5'));
    expect(queue.offer('a', msg('a', '6', 'delete'))).toBe('replaced');
    expect(queue.offer('a', msg('a', '6', 'delete'))).toBe('duplicate');
    expect(queue.offer('a', msg('a', '6'))).toBe('stale');
    expect(queue.offer('a', msg('a', '9', 'insert'))).toBe('queued');
    expect(queue.offer('a', msg('a', '10'))).toBe('replaced');
    const first = drain(queue);
    expect(versions(first)).toEqual(['a@6']);
    expect(first[0]!.route!.operation).toBe(Operation.OPERATION_DELETE);
    queue.acknowledge(first[0]!.header!.id);
    expect(versions(drain(queue))).toEqual(['a@10']);
  });

  it('hands out messages without ack first, then a window of objects, one message per object', () => {
    const queue = new NodeQueue(LIMITS);
    queue.offer('a', msg('a', '1'));
    queue.offer('b', msg('b', '1'));
    queue.offer('c', msg('c', '1'));
    const direct = newMessage({ source: 'test', group: 'user', operation: 'publish', resource: 'node/n/topic' });
    expect(queue.offerDirect(direct)).toBe(true);
    const out = drain(queue);
    expect(out[0]).toBe(direct);
    expect(versions(out.slice(1))).toEqual(['a@1', 'b@1']); // the window is 2
    queue.acknowledge(out[1]!.header!.id);
    expect(versions(drain(queue))).toEqual(['c@1']);
    expect(queue.acknowledge('no-such-id')).toBeUndefined();
  });

  it('refuses messages beyond maxPending but still coalesces into what is there', () => {
    const queue = new NodeQueue({ ...LIMITS, maxPending: 2 });
    expect(queue.offer('a', msg('a', '1'))).toBe('queued');
    expect(queue.offer('b', msg('b', '1'))).toBe('queued');
    expect(queue.offer('c', msg('c', '1'))).toBe('overflow');
    expect(queue.offerDirect(msg('d', ''))).toBe(false);
    expect(queue.offer('a', msg('a', '2'))).toBe('replaced');
    expect(queue.pending).toBe(2);
  });

  it('resends every resendIntervalMs up to maxSends, then requeues with back-off', () => {
    const queue = new NodeQueue(LIMITS);
    queue.offer('a', msg('a', '1'));
    const [sent] = drain(queue, 0);
    const resent: Message[] = [];
    expect(queue.due(50, (m) => resent.push(m))).toEqual({ resent: 0, requeued: 0 });
    expect(queue.due(100, (m) => resent.push(m))).toEqual({ resent: 1, requeued: 0 });
    expect(queue.due(200, (m) => resent.push(m))).toEqual({ resent: 1, requeued: 0 });
    expect(resent).toEqual([sent, sent]);
    expect(queue.due(300, (m) => resent.push(m))).toEqual({ resent: 0, requeued: 1 });
    expect(queue.inFlightCount).toBe(0);
    expect(drain(queue, 300)).toEqual([]); // backing off until 1300
    queue.due(1299, () => undefined);
    expect(drain(queue, 1299)).toEqual([]);
    queue.due(1300, () => undefined);
    expect(drain(queue, 1300)).toEqual([sent]);
  });

  it('requeues after a negative ack; an update superseded meanwhile is dropped, a delete is not', () => {
    const queue = new NodeQueue(LIMITS);
    queue.offer('a', msg('a', '1'));
    queue.offer('b', msg('b', '1', 'delete'));
    const [a1, b1] = drain(queue, 0);
    queue.offer('a', msg('a', '2'));
    queue.offer('b', msg('b', '3', 'insert'));
    expect(queue.reject(a1!.header!.id, 0)).toBe(a1);
    expect(queue.reject(b1!.header!.id, 0)).toBe(b1);
    queue.due(1000, () => undefined);
    expect(versions(drain(queue, 1000))).toEqual(['a@2', 'b@1']);
  });

  it('puts everything in flight back, first in line, when the connection is lost', () => {
    const queue = new NodeQueue({ ...LIMITS, windowSize: 1 });
    queue.offer('a', msg('a', '1'));
    queue.offer('b', msg('b', '1'));
    const [a] = drain(queue);
    queue.returnInFlight(0);
    expect(queue.inFlightCount).toBe(0);
    expect(drain(queue)).toEqual([a]);
  });
});
