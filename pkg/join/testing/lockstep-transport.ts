import type { RestRequest, RestTransport, WatchEvent, WatchRequest } from '../../kube';

/**
 * A transport that holds requests matching `match` until `parties` of them have arrived (or `maxWaitMs` passed), then
 * lets them all go: two replicas that both read "absent" are made to write at the same moment, so the race the code
 * must survive happens in every run instead of by luck.
 */
export class LockstepGate {
  private waiting: (() => void)[] = [];

  constructor(
    readonly match: (request: RestRequest) => boolean,
    private readonly parties = 2,
    private readonly maxWaitMs = 3000,
  ) {}

  async pass(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.maxWaitMs);
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
      if (this.waiting.length >= this.parties) {
        const released = this.waiting;
        this.waiting = [];
        for (const release of released) release();
      }
    });
  }
}

export class LockstepTransport implements RestTransport {
  constructor(
    private readonly inner: RestTransport,
    private readonly gates: LockstepGate[],
  ) {}

  async request<T>(request: RestRequest): Promise<T> {
    for (const gate of this.gates) if (gate.match(request)) await gate.pass();
    return this.inner.request<T>(request);
  }

  watch<T>(request: WatchRequest, onEvent: (event: WatchEvent<T>) => void): Promise<void> {
    return this.inner.watch(request, onEvent);
  }
}
