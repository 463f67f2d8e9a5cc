/**
 * Keeps a fresh join token in Secret kubeedge/tokensecret (key tokendata), where `keadm gettoken` reads it. A token is
 * valid for 2 x refreshMs and replaced once it has less than refreshMs left, so the token keadm prints is always good
 * for at least refreshMs. Several replicas may run a keeper: each adopts a token another wrote while it is fresh
 * enough, and a write race is settled by the Secret's resourceVersion.
 */
import { isAlreadyExists, isConflict, isNotFound, RESOURCES, type Client } from '../kube';
import type { Logger } from '../log';
import type { KeyPairPem } from '../pki';
import { Backoff, sleep } from '../timing';
import { JoinError } from './errors';
import { ensureNamespace, KUBEEDGE_NAMESPACE, readSecret, TOKEN_SECRET, type Secret } from './secrets';
import { sleepUntil } from './sleep-until';
import { createJoinToken, verifyJoinToken } from './token';

export interface TokenKeeperOptions {
  client: Client;
  /** The CA the tokens are for (its key signs them). */
  ca: KeyPairPem;
  /** cloudHub.tokenRefreshDuration. */
  refreshMs: number;
  log: Logger;
  /** Default kubeedge. */
  namespace?: string;
  /** Injected for tests. */
  now?: () => number;
  /** Retry pacing after a failed read or write of the Secret. Default 1 s doubling to 60 s. */
  retry?: { initialMs: number; maxMs: number };
}

export interface KeptToken {
  token: string;
  expiresAt: Date;
  /** Whether this call wrote it (false: adopted what another replica wrote). */
  written: boolean;
}

export class TokenKeeper {
  private token: KeptToken | undefined;
  private readonly namespace: string;
  private readonly now: () => number;

  constructor(private readonly options: TokenKeeperOptions) {
    if (!(options.refreshMs > 0)) throw new RangeError(`tokenRefreshDuration must be positive (got ${options.refreshMs} ms)`);
    this.namespace = options.namespace ?? KUBEEDGE_NAMESPACE;
    this.now = options.now ?? Date.now;
  }

  /** The token last written or adopted; undefined until the first refresh succeeds. */
  current(): string | undefined {
    return this.token?.token;
  }

  /** Refreshes now, then whenever the token has refreshMs left, until `signal` aborts. Failures are retried. */
  async start(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.options.retry ?? { initialMs: 1000, maxMs: 60_000 });
    while (!signal.aborted) {
      try {
        const kept = await this.refresh(signal);
        backoff.reset();
        await sleepUntil(kept.expiresAt.getTime() - this.options.refreshMs, this.now, signal);
      } catch (error) {
        if (signal.aborted) return;
        const delayMs = backoff.next();
        this.options.log.warn({ err: error, retryInMs: delayMs }, `cannot keep the join token in Secret ${this.namespace}/${TOKEN_SECRET.name}`);
        await sleep(delayMs, signal).catch(() => undefined);
      }
    }
  }

  /** One round: adopt the stored token when it has more than refreshMs left, else write a new one. */
  async refresh(signal?: AbortSignal): Promise<KeptToken> {
    const secrets = this.options.client.resource<Secret>(RESOURCES.secrets);
    const call = { namespace: this.namespace, ...(signal ? { signal } : {}) };
    for (let attempt = 1; ; attempt++) {
      const stored = await readSecret(this.options.client, this.namespace, TOKEN_SECRET.name, signal);
      const adoptable = stored === undefined ? undefined : this.freshToken(stored);
      if (adoptable !== undefined) return this.keep({ ...adoptable, written: false });

      const expiresAt = new Date(this.now() + 2 * this.options.refreshMs);
      const token = createJoinToken(this.options.ca, expiresAt);
      const secret: Secret = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: TOKEN_SECRET.name,
          namespace: this.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'cloudcore' },
          ...(stored?.metadata?.resourceVersion ? { resourceVersion: stored.metadata.resourceVersion } : {}),
        },
        type: 'Opaque',
        data: { [TOKEN_SECRET.tokenKey]: Buffer.from(token).toString('base64') },
      };
      try {
        if (stored === undefined) await this.create(secret, signal);
        else await secrets.update(secret, call);
        this.options.log.info({ expiresAt: expiresAt.toISOString() }, `wrote a new join token to Secret ${this.namespace}/${TOKEN_SECRET.name}`);
        return this.keep({ token, expiresAt: new Date(Math.floor(expiresAt.getTime() / 1000) * 1000), written: true });
      } catch (error) {
        // Another replica wrote between our read and our write: read again and probably adopt theirs.
        if (!(isAlreadyExists(error) || isConflict(error)) || attempt >= 3) throw error;
      }
    }
  }

  /** Creates the Secret, and its namespace if that is missing too (ensureCloudPki normally made it already). */
  private async create(secret: Secret, signal?: AbortSignal): Promise<void> {
    const secrets = this.options.client.resource<Secret>(RESOURCES.secrets);
    const call = { namespace: this.namespace, ...(signal ? { signal } : {}) };
    try {
      await secrets.create(secret, call);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await ensureNamespace(this.options.client, this.namespace, signal);
      await secrets.create(secret, call);
    }
  }

  private freshToken(stored: Secret): Omit<KeptToken, 'written'> | undefined {
    const encoded = stored.data?.[TOKEN_SECRET.tokenKey];
    if (!encoded) return undefined;
    const token = Buffer.from(encoded, 'base64').toString('utf8').trim();
    try {
      // No skew allowance: adopting must be strict, verifying lenient.
      const { expiresAt } = verifyJoinToken(this.options.ca, token, this.now(), 0);
      return expiresAt.getTime() - this.now() > this.options.refreshMs ? { token, expiresAt } : undefined;
    } catch (error) {
      if (error instanceof JoinError) return undefined; // another CA's, edited or expired: replace it
      throw error;
    }
  }

  private keep(kept: KeptToken): KeptToken {
    this.token = kept;
    return kept;
  }
}
