/**
 * The informer's reflector rules, driven by a scripted transport so each server behaviour happens exactly when the
 * test says. informer.test.ts runs the same informer against the real embedded API server.
 */
import { isTombstone } from './cache';
import { Client } from './client';
import { KubeApiError } from './errors';
import { SharedInformer } from './informer';
import type { KubeList, KubeObject } from './resource';
import type { RestRequest, RestTransport, WatchEvent, WatchRequest } from './rest';
import { testLogger } from './testing/log';

type Obj = KubeObject & { metadata: { name: string; namespace: string; resourceVersion: string } };
const obj = (name: string, rv: string): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns', resourceVersion: rv } });
const list = (rv: string, items: Obj[], cont?: string): KubeList<Obj> => ({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: rv, ...(cont ? { continue: cont } : {}) }, items });

type ListStep = (request: RestRequest) => KubeList<Obj>;
type WatchStep = (request: WatchRequest, emit: (event: WatchEvent<Obj>) => void) => Promise<void>;

class ScriptedTransport implements RestTransport {
  readonly listRequests: RestRequest[] = [];
  readonly watchRequests: WatchRequest[] = [];
  constructor(
    private readonly lists: ListStep[],
    private readonly watches: WatchStep[],
  ) {}

  async request<T>(request: RestRequest): Promise<T> {
    this.listRequests.push(request);
    const step = this.lists.shift();
    if (!step) throw new Error('no more list steps');
    return step(request) as T;
  }

  watch<T>(request: WatchRequest, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    this.watchRequests.push(request);
    const step = this.watches.shift() ?? hang;
    return step(request, onEvent as (event: WatchEvent<Obj>) => void);
  }
}

/** A watch that stays open until the informer stops. */
const hang: WatchStep = ({ signal }) =>
  new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason));
  });
const gone = new KubeApiError(410, 'Expired', 'too old resource version');
const log = testLogger();

function informerOver(transport: ScriptedTransport, pageSize?: number) {
  const informer = new SharedInformer<Obj>({
    client: new Client(transport),
    spec: { apiVersion: 'v1', plural: 'configmaps', namespace: 'ns' },
    log,
    backoff: { initialMs: 5, maxMs: 20 },
    ...(pageSize ? { pageSize } : {}),
  });
  const events: string[] = [];
  informer.addHandler({
    add: (o) => void events.push(`add ${o.metadata.name}`),
    update: (old, o) => void events.push(`update ${o.metadata.name} ${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`),
    delete: (o) => void events.push(isTombstone(o) ? `tombstone ${o.key}` : `delete ${o.metadata.name}`),
  });
  const controller = new AbortController();
  const running = informer.start(controller.signal);
  const stop = async (): Promise<void> => {
    controller.abort();
    await running;
  };
  return { informer, events, stop };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('reflector', () => {
  it('re-watches from the last bookmark, relists on an ERROR 410, and sends only the differences', async () => {
    const transport = new ScriptedTransport(
      [() => list('10', [obj('a', '5'), obj('b', '6')]), () => list('20', [obj('a', '16'), obj('c', '18')])],
      [
        async (_r, emit) => emit({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '15' } } as Obj }),
        async (_r, emit) => {
          emit({ type: 'MODIFIED', object: obj('a', '16') });
          throw gone;
        },
      ],
    );
    const { informer, events, stop } = informerOver(transport);
    await until(() => transport.watchRequests.length === 3);
    await stop();
    expect(transport.watchRequests.map((w) => w.query['resourceVersion'])).toEqual(['10', '15', '20']);
    expect(transport.watchRequests.every((w) => w.query['allowWatchBookmarks'] === 'true')).toBe(true);
    expect(transport.listRequests).toHaveLength(2);
    // a was already at 16 from the watch: no update on relist; b vanished: tombstone; c is new.
    expect(events).toEqual(['add a', 'add b', 'update a 5->16', 'add c', 'tombstone ns/b']);
    expect(informer.store.keys().sort()).toEqual(['ns/a', 'ns/c']);
    expect(informer.resourceVersion).toBe('20');
  });

  it('treats an HTTP 410 on the watch like the ERROR event', async () => {
    const transport = new ScriptedTransport([() => list('10', [obj('a', '5')]), () => list('30', [])], [() => Promise.reject(gone)]);
    const { events, stop } = informerOver(transport);
    await until(() => transport.watchRequests.length === 2);
    await stop();
    expect(events).toEqual(['add a', 'tombstone ns/a']);
  });

  it('retries a failing list with back-off, and resumes the watch (not a relist) after a dropped connection', async () => {
    const refused = KubeApiError.unreachable('GET /api/v1/namespaces/ns/configmaps', new Error('connect ECONNREFUSED'));
    const transport = new ScriptedTransport(
      [
        () => {
          throw refused;
        },
        () => {
          throw refused;
        },
        () => list('10', [obj('a', '5')]),
      ],
      [() => Promise.reject(refused), async (_r, emit) => emit({ type: 'DELETED', object: obj('a', '11') })],
    );
    const { informer, events, stop } = informerOver(transport);
    await until(() => transport.watchRequests.length === 3);
    await stop();
    expect(transport.listRequests).toHaveLength(3);
    expect(transport.watchRequests.map((w) => w.query['resourceVersion'])).toEqual(['10', '10', '11']);
    expect(events).toEqual(['add a', 'delete a']);
    expect(informer.hasSynced()).toBe(true);
  });

  it('pages the list, and starts over unpaged when the continue token expires', async () => {
    const transport = new ScriptedTransport(
      [
        () => list('10', [obj('a', '5')], 'token-1'),
        () => {
          throw gone;
        },
        () => list('12', [obj('a', '5'), obj('b', '11')]),
      ],
      [],
    );
    const { events, stop } = informerOver(transport, 1);
    await until(() => transport.watchRequests.length === 1);
    await stop();
    expect(transport.listRequests.map((r) => [r.query?.['limit'], r.query?.['continue']])).toEqual([
      [1, undefined],
      [1, 'token-1'],
      [undefined, undefined],
    ]);
    expect(transport.watchRequests[0]?.query['resourceVersion']).toBe('12');
    expect(events).toEqual(['add a', 'add b']);
  });

  it('keeps calling the other handlers when one throws', async () => {
    const transport = new ScriptedTransport([() => list('1', [obj('a', '1')])], []);
    const { informer, events, stop } = informerOver(transport);
    informer.addHandler({
      add: () => {
        throw new Error('handler bug');
      },
    });
    await informer.waitForSync(new AbortController().signal);
    await stop();
    expect(events).toEqual(['add a']);
  });
});
