/** Certificates for CloudHub tests: a CA, cloudcore's serving certificate for 127.0.0.1, and edge node certificates. */
import { loopbackServerRequest, nodeCertificateRequest } from '../../../pkg/join';
import { createCA, issueCertificate, type CertificateAuthority, type KeyPairPem } from '../../../pkg/pki';
import type { TlsPems } from '../options';

export interface NodeCertificateOptions {
  /** Default `system:node:<name>`. */
  commonName?: string;
  /** Default ['system:nodes']. */
  organizations?: string[];
  /** Negative: already expired. Default 1. */
  validDays?: number;
  /** Default the test CA. */
  ca?: CertificateAuthority;
}

export class TestPki {
  private constructor(
    readonly ca: CertificateAuthority,
    readonly tls: TlsPems,
  ) {}

  static async create(): Promise<TestPki> {
    const ca = await createCA('cloudhub-test-ca');
    const server = await issueCertificate(ca, loopbackServerRequest(1));
    return new TestPki(ca, { caPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem });
  }

  node(name: string, options: NodeCertificateOptions = {}): Promise<KeyPairPem> {
    return issueCertificate(options.ca ?? this.ca, nodeCertificateRequest(name, options.validDays ?? 1, options));
  }
}
