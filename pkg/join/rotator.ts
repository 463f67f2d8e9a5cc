/**
 * Renews the node's certificate before it expires, over mutual TLS with the current one (no token needed), as the
 * kubelet does: at a jittered 70-90% of its lifetime, so that nodes joined together do not all renew at once. A
 * failed renewal is retried after 2, 4, 8, 16 s, then every 32 s, while the current certificate keeps working.
 */
import { X509Certificate } from 'node:crypto';
import type { Logger } from '../log';
import { Backoff, sleep } from '../timing';
import { JoinError } from './errors';
import { readNodeCredentials, writeNodeCredentials, type CredentialFiles, type NodeCredentials } from './files';
import { requestNodeCertificate } from './node-certificate';
import { sleepUntil } from './sleep-until';

export interface CertificateRotatorOptions extends CredentialFiles {
  /** edgeHub.httpServer. */
  httpServer: string;
  nodeName: string;
  log: Logger;
  /** Called after the new files are in place (edgehub reconnects with them). Errors are logged. */
  onRotated?: (credentials: NodeCredentials) => void | Promise<void>;
  /** Per request. Default 30 s. */
  timeoutMs?: number;
  /** Retry pacing after a failure. Default 2 s doubling to 32 s. */
  retry?: { initialMs: number; maxMs: number };
  /** How long to wait for the files to appear (the node has not joined yet). Default 10 s. */
  missingFilesPollMs?: number;
  /** Injected for tests. */
  now?: () => number;
  random?: () => number;
}

/** When a certificate valid from notBefore to notAfter should be renewed: 70-90% of the way through. */
export function rotationDeadline(notBefore: Date, notAfter: Date, random: () => number = Math.random): Date {
  const lifetimeMs = notAfter.getTime() - notBefore.getTime();
  return new Date(notBefore.getTime() + Math.round(lifetimeMs * (0.7 + 0.2 * random())));
}

export class CertificateRotator {
  private readonly now: () => number;
  private readonly random: () => number;
  /** The deadline drawn for the certificate in the files, kept so that re-reading the files does not redraw it. */
  private deadline: { certPem: string; at: Date } | undefined;

  constructor(private readonly options: CertificateRotatorOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Renews whenever the certificate in the files is due, until `signal` aborts. */
  async start(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff({ ...(this.options.retry ?? { initialMs: 2000, maxMs: 32_000 }), jitter: 0.1 });
    const log = this.options.log;
    while (!signal.aborted) {
      try {
        const current = await readNodeCredentials(this.options);
        if (current === undefined) {
          await sleep(this.options.missingFilesPollMs ?? 10_000, signal);
          continue;
        }
        const due = this.deadlineFor(current);
        log.debug({ renewAt: due.toISOString(), notAfter: current.notAfter.toISOString() }, 'node certificate renewal scheduled');
        await sleepUntil(due.getTime(), this.now, signal);
        const renewed = await this.rotate(current, signal);
        backoff.reset();
        await this.announce(renewed);
      } catch (error) {
        if (signal.aborted) return;
        const delayMs = backoff.next();
        const expired = error instanceof JoinError && error.reason === 'CLIENT_CERT_INVALID';
        log.warn(
          { err: error, retryInMs: delayMs },
          expired
            ? 'cannot renew the node certificate: cloudcore no longer accepts it; delete the certificate files and join again with a fresh token'
            : 'cannot renew the node certificate; retrying',
        );
        await sleep(delayMs, signal).catch(() => undefined);
      }
    }
  }

  /** Renews now, whatever the deadline (operators and tests). */
  async rotateNow(signal?: AbortSignal): Promise<NodeCredentials> {
    const current = await readNodeCredentials(this.options);
    if (current === undefined) {
      throw new JoinError('CERTIFICATE_UNUSABLE', `no node certificate to renew (${this.options.certFile}); join with a token first`);
    }
    const renewed = await this.rotate(current, signal);
    await this.announce(renewed);
    return renewed;
  }

  private deadlineFor(current: NodeCredentials): Date {
    if (this.deadline?.certPem !== current.certPem) {
      this.deadline = { certPem: current.certPem, at: rotationDeadline(current.notBefore, current.notAfter, this.random) };
    }
    return this.deadline.at;
  }

  private async rotate(current: NodeCredentials, signal?: AbortSignal): Promise<NodeCredentials> {
    const { certPem, keyPem } = await requestNodeCertificate({
      httpServer: this.options.httpServer,
      nodeName: this.options.nodeName,
      caPem: current.caPem,
      proof: { certPem: current.certPem, keyPem: current.keyPem },
      timeoutMs: this.options.timeoutMs ?? 30_000,
      ...(signal ? { signal } : {}),
    });
    await writeNodeCredentials(this.options, { caPem: current.caPem, certPem, keyPem });
    const cert = new X509Certificate(certPem);
    const renewed = { caPem: current.caPem, certPem, keyPem, notBefore: new Date(cert.validFrom), notAfter: new Date(cert.validTo) };
    this.options.log.info({ node: this.options.nodeName, notAfter: renewed.notAfter.toISOString() }, 'renewed the node certificate');
    return renewed;
  }

  private async announce(renewed: NodeCredentials): Promise<void> {
    try {
      await this.options.onRotated?.(renewed);
    } catch (error) {
      this.options.log.error({ err: error }, 'onRotated failed after the node certificate was renewed');
    }
  }
}
