/**
 * Loads the kubeconfig cloudcore is given (or the embedded control plane's admin.kubeconfig) into a client-node
 * KubeConfig whose every request first takes a token from a QPS/burst bucket, as client-go's rest.Config does.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type * as https from 'node:https';
import { KubeConfig, type RequestContext } from './client-node';
import { KubeConfigError } from './errors';
import { TokenBucket } from '../timing';

export interface LoadKubeConfigOptions {
  /**
   * The kubeconfig file. Omitted: $KUBECONFIG (its first entry), then ~/.kube/config, then the in-cluster service
   * account, as kubectl looks.
   */
  kubeconfigPath?: string;
  /** Sustained requests per second to the API server (cloudcore.yaml kubeAPIConfig.qps). */
  qps: number;
  /** Requests allowed at once after a quiet spell (kubeAPIConfig.burst). */
  burst: number;
  /** Injected for tests. */
  env?: NodeJS.ProcessEnv;
}

/**
 * A KubeConfig that rate-limits the two hooks every client-node request passes through: `applySecurityAuthentication`
 * (generated API clients, and this package's Client) and `applyToFetchOptions` (Watch). Anything built from it with
 * `makeApiClient` is limited too. Exec/attach websockets are not.
 */
export class RateLimitedKubeConfig extends KubeConfig {
  constructor(
    readonly limiter: TokenBucket,
    /** Where it was loaded from, for messages; "in-cluster" for the service account. */
    readonly source: string,
  ) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    // The request's own signal (when set) makes the wait abortable.
    await this.limiter.take(context.getSignal());
    await super.applySecurityAuthentication(context);
  }

  override async applyToFetchOptions(opts: https.RequestOptions): ReturnType<KubeConfig['applyToFetchOptions']> {
    await this.limiter.take();
    return super.applyToFetchOptions(opts);
  }
}

export function loadKubeConfig(options: LoadKubeConfigOptions): RateLimitedKubeConfig {
  const limiter = rateLimiter(options);
  const env = options.env ?? process.env;
  const path = options.kubeconfigPath ?? defaultPath(env);
  if (path === undefined) {
    if (env['KUBERNETES_SERVICE_HOST'] && existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')) {
      const kc = new RateLimitedKubeConfig(limiter, 'in-cluster');
      kc.loadFromCluster();
      return kc;
    }
    throw new KubeConfigError(
      undefined,
      'no kubeconfig: pass kubeAPIConfig.kubeConfig (or --kubeconfig), set KUBECONFIG, or create ~/.kube/config',
    );
  }
  const kc = new RateLimitedKubeConfig(limiter, path);
  try {
    kc.loadFromFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'does not exist' : typeof code === 'string' ? `cannot be read (${(error as Error).message})` : `is not valid: ${(error as Error).message}`;
    throw new KubeConfigError(path, `kubeconfig ${path} ${why}`, { cause: error });
  }
  validate(kc, path);
  return kc;
}

function rateLimiter({ qps, burst }: LoadKubeConfigOptions): TokenBucket {
  if (!(qps > 0) || !Number.isFinite(qps)) throw new RangeError(`kubeAPIConfig.qps must be a positive number (got ${qps})`);
  if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`kubeAPIConfig.burst must be an integer >= 1 (got ${burst})`);
  return new TokenBucket({ ratePerSecond: qps, burst });
}

function defaultPath(env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env['KUBECONFIG']?.split(delimiter).find((p) => p !== '');
  if (fromEnv) return fromEnv;
  const home = join(env['HOME'] ?? homedir(), '.kube', 'config');
  return existsSync(home) ? home : undefined;
}

function validate(kc: KubeConfig, path: string): void {
  const fail = (what: string): never => {
    throw new KubeConfigError(path, `kubeconfig ${path} is not valid: ${what}`);
  };
  const contextName = kc.getCurrentContext();
  if (!contextName) fail('it sets no current-context');
  const context = kc.getContextObject(contextName);
  if (!context) fail(`current-context "${contextName}" is not among its contexts`);
  const cluster = kc.getCurrentCluster();
  if (!cluster) fail(`context "${contextName}" names cluster "${context?.cluster}", which it does not define`);
  let url: URL | undefined;
  try {
    url = new URL(cluster!.server);
  } catch {
    fail(`cluster "${cluster!.name}" has server "${cluster!.server}", which is not a URL`);
  }
  if (url!.protocol !== 'https:' && !(url!.protocol === 'http:' && cluster!.skipTLSVerify)) {
    fail(`cluster "${cluster!.name}" server ${cluster!.server} must be https (client-node refuses plain http without insecure-skip-tls-verify)`);
  }
}
