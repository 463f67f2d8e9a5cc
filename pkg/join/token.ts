/**
 * The join token, as KubeEdge makes it: `<sha256 hex of the CA certificate's DER>.<JWT>`. The first part lets a new
 * edge node check the CA it downloads before trusting it; the JWT (HS256, only an `exp` claim) proves to cloudcore
 * that whoever sends it was given a token by an operator. The JWT's key is the CA private key's DER, as in KubeEdge,
 * so every cloudcore replica holding the CA verifies every other replica's tokens.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import type { KeyPairPem } from '../pki';
import { FRESH_TOKEN_HINT, JoinError } from './errors';
import { signHs256, verifyHs256 } from './jwt';

/**
 * How far past its `exp` a token is still accepted, for clocks that disagree: the edge's and the cloud's clocks do not
 * matter here (only cloudcore checks `exp`), but several cloudcore replicas' clocks do.
 */
export const TOKEN_CLOCK_SKEW_MS = 60_000;

const CA_HASH = /^[0-9a-f]{64}$/;

export interface VerifiedToken {
  expiresAt: Date;
}

/** The first part of a join token: SHA-256 (hex) of the CA certificate's DER. */
export function caHash(caCertPem: string | Buffer): string {
  return createHash('sha256').update(new X509Certificate(caCertPem).raw).digest('hex');
}

/** A token for `ca` valid until `expiresAt` (whole seconds, as JWT `exp` counts). */
export function createJoinToken(ca: KeyPairPem, expiresAt: Date): string {
  const exp = Math.floor(expiresAt.getTime() / 1000);
  return `${caHash(ca.certPem)}.${signHs256({ exp }, tokenSigningKey(ca.keyPem))}`;
}

/**
 * Splits a token into its CA hash and its JWT, checking only the shape: what an edge node can do before it has the
 * CA. Surrounding whitespace (a pasted newline) is ignored.
 */
export function splitJoinToken(token: string): { caHash: string; jwt: string } {
  const trimmed = token.trim();
  const dot = trimmed.indexOf('.');
  const hash = dot < 0 ? trimmed : trimmed.slice(0, dot);
  const jwt = dot < 0 ? '' : trimmed.slice(dot + 1);
  if (!CA_HASH.test(hash) || jwt.split('.').length !== 3) {
    throw new JoinError(
      'TOKEN_MALFORMED',
      `the join token is malformed: expected <64 hex digits>.<header>.<payload>.<signature>, got ${describe(trimmed)}; ` +
        'copy the whole line "keadm gettoken" prints',
    );
  }
  return { caHash: hash, jwt };
}

/**
 * Verifies a whole join token, or only its JWT (what an edge sends as its bearer token), against `ca`. Throws a
 * JoinError: TOKEN_MALFORMED, TOKEN_WRONG_CA, TOKEN_BAD_SIGNATURE or TOKEN_EXPIRED (more than TOKEN_CLOCK_SKEW_MS past
 * `exp` at `nowMs`).
 */
export function verifyJoinToken(ca: KeyPairPem, token: string, nowMs = Date.now(), clockSkewMs = TOKEN_CLOCK_SKEW_MS): VerifiedToken {
  const trimmed = token.trim();
  let jwt = trimmed;
  if (trimmed.split('.').length === 4) {
    const parts = splitJoinToken(trimmed);
    const expected = caHash(ca.certPem);
    if (parts.caHash !== expected) {
      throw new JoinError(
        'TOKEN_WRONG_CA',
        `the join token is for another CA (hash ${parts.caHash.slice(0, 12)}..., this cloudcore's CA is ${expected.slice(0, 12)}...); ` +
          `${FRESH_TOKEN_HINT} of this cluster`,
      );
    }
    jwt = parts.jwt;
  }
  const checked = verifyHs256(jwt, tokenSigningKey(ca.keyPem));
  if (!checked.ok && checked.problem === 'malformed') {
    throw new JoinError('TOKEN_MALFORMED', `the join token is malformed: ${checked.detail}; copy the whole line "keadm gettoken" prints`);
  }
  if (!checked.ok) {
    throw new JoinError(
      'TOKEN_BAD_SIGNATURE',
      `the join token's signature does not match this cloudcore's CA (edited, or made for another CA); ${FRESH_TOKEN_HINT}`,
    );
  }
  const exp = checked.claims['exp'];
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    throw new JoinError('TOKEN_MALFORMED', `the join token has no numeric "exp" claim; ${FRESH_TOKEN_HINT}`);
  }
  const expiresAt = new Date(exp * 1000);
  const lateMs = nowMs - expiresAt.getTime();
  if (lateMs > clockSkewMs) {
    throw new JoinError(
      'TOKEN_EXPIRED',
      `the join token expired at ${expiresAt.toISOString()}, ${Math.round(lateMs / 1000)} s ago ` +
        `(${clockSkewMs / 1000} s of clock skew are allowed); ${FRESH_TOKEN_HINT}`,
    );
  }
  return { expiresAt };
}

/**
 * The HMAC key: the CA private key's DER in its traditional form (SEC1 for EC, PKCS#1 for RSA), as KubeEdge keeps it
 * in Secret casecret and signs with it.
 */
function tokenSigningKey(caKeyPem: string): Buffer {
  const key = createPrivateKey(caKeyPem);
  if (key.asymmetricKeyType === 'ec') return key.export({ type: 'sec1', format: 'der' });
  if (key.asymmetricKeyType === 'rsa') return key.export({ type: 'pkcs1', format: 'der' });
  return key.export({ type: 'pkcs8', format: 'der' });
}

/** Enough of a bad token to recognise it in a message, never all of it. */
function describe(text: string): string {
  if (text === '') return 'an empty string';
  const parts = text.split('.').length;
  return `${text.length} characters in ${parts} dot-separated part${parts === 1 ? '' : 's'}`;
}
