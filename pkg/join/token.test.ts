import { createHmac, createPrivateKey } from 'node:crypto';
import { createCA, type CertificateAuthority } from '../pki';
import { JoinError } from './errors';
import { caHash, createJoinToken, splitJoinToken, TOKEN_CLOCK_SKEW_MS, verifyJoinToken } from './token';

let ca: CertificateAuthority;
let otherCa: CertificateAuthority;
beforeAll(async () => {
  [ca, otherCa] = await Promise.all([createCA('KubeEdge'), createCA('someone-else')]);
});

function refusal(run: () => unknown): JoinError {
  try {
    run();
  } catch (error) {
    if (error instanceof JoinError) return error;
    throw error;
  }
  throw new Error('expected a JoinError');
}

const HOUR = 3_600_000;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('join token', () => {
  it("is the CA's hash, then an HS256 JWT holding only exp, and verifies until it expires", () => {
    const expiresAt = new Date(Date.now() + 24 * HOUR);
    const token = createJoinToken(ca, expiresAt);
    const [hash, header, payload, signature] = token.split('.');
    expect(hash).toBe(ca.fingerprint);
    expect(caHash(ca.certPem)).toBe(ca.fingerprint);
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(payload!, 'base64url').toString())).toEqual({ exp: Math.floor(expiresAt.getTime() / 1000) });
    expect(signature).toMatch(/^[A-Za-z0-9_-]{43}$/);

    expect(verifyJoinToken(ca, token).expiresAt.getTime()).toBe(Math.floor(expiresAt.getTime() / 1000) * 1000);
    // The bearer form (JWT only) and a pasted newline are fine too.
    expect(verifyJoinToken(ca, token.slice(65)).expiresAt).toEqual(verifyJoinToken(ca, `${token}\n`).expiresAt);
    expect(splitJoinToken(` ${token}\n`)).toEqual({ caHash: ca.fingerprint, jwt: token.slice(65) });
  });

  it.each([
    ['', 'an empty string'],
    ['abc', '3 characters in 1 dot-separated part'],
    ['not-a-hash.a.b.c', 'expected <64 hex digits>'],
    [`${'a'.repeat(64)}.a.b`, '68 characters in 3 dot-separated parts'],
  ])('refuses the malformed token %p, saying what a token looks like', (token, detail) => {
    const error = refusal(() => splitJoinToken(token));
    expect(error.code).toBe('TOKEN_MALFORMED');
    expect(error.message).toContain(detail);
    expect(error.message).toContain('copy the whole line "keadm gettoken" prints');
  });

  it('refuses JWTs that are not HS256 with an exp claim, as malformed and without trusting them', () => {
    const secretless = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ exp: 9_999_999_999 })}.`;
    expect(refusal(() => verifyJoinToken(ca, `${ca.fingerprint}.${secretless}`)).code).toBe('TOKEN_MALFORMED');
    expect(refusal(() => verifyJoinToken(ca, `${ca.fingerprint}.${secretless}x`)).message).toContain('the JWT algorithm is "none", not "HS256"');
    expect(refusal(() => verifyJoinToken(ca, `${ca.fingerprint}.e30.e30.!!!`)).message).toContain('not base64url');
  });

  it('refuses a token for another CA, naming both hashes', () => {
    const error = refusal(() => verifyJoinToken(ca, createJoinToken(otherCa, new Date(Date.now() + HOUR))));
    expect(error.code).toBe('TOKEN_WRONG_CA');
    expect(error.message).toContain(otherCa.fingerprint.slice(0, 12));
    expect(error.message).toContain('run "keadm gettoken" on the cloud for a fresh token');
  });

  it("refuses a JWT signed with another key or edited, even behind this CA's hash", () => {
    const foreignJwt = createJoinToken(otherCa, new Date(Date.now() + HOUR)).slice(65);
    const forged = refusal(() => verifyJoinToken(ca, `${ca.fingerprint}.${foreignJwt}`));
    expect(forged.code).toBe('TOKEN_BAD_SIGNATURE');
    expect(forged.message).toContain('fresh token');

    const [hash, header, , signature] = createJoinToken(ca, new Date(Date.now() + HOUR)).split('.');
    const extended = `${hash}.${header}.${b64({ exp: 9_999_999_999 })}.${signature}`;
    expect(refusal(() => verifyJoinToken(ca, extended)).code).toBe('TOKEN_BAD_SIGNATURE');
  });

  it('refuses a signed JWT without a numeric exp', () => {
    // Signed the way a careless issuer would: right key, no exp. The key is the CA key's SEC1 DER, as in KubeEdge.
    const key = createPrivateKey(ca.keyPem).export({ type: 'sec1', format: 'der' });
    const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'x' })}`;
    const jwt = `${unsigned}.${createHmac('sha256', key).update(unsigned).digest('base64url')}`;
    const error = refusal(() => verifyJoinToken(ca, jwt));
    expect(error.code).toBe('TOKEN_MALFORMED');
    expect(error.message).toContain('no numeric "exp" claim');
  });

  it(`allows ${TOKEN_CLOCK_SKEW_MS / 1000} s of clock skew past exp, and not more`, () => {
    const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const token = createJoinToken(ca, expiresAt);
    expect(verifyJoinToken(ca, token, expiresAt.getTime() - 1).expiresAt).toEqual(expiresAt);
    expect(verifyJoinToken(ca, token, expiresAt.getTime() + 30_000).expiresAt).toEqual(expiresAt);
    expect(verifyJoinToken(ca, token, expiresAt.getTime() + TOKEN_CLOCK_SKEW_MS).expiresAt).toEqual(expiresAt);
    const late = refusal(() => verifyJoinToken(ca, token, expiresAt.getTime() + TOKEN_CLOCK_SKEW_MS + 1000));
    expect(late.code).toBe('TOKEN_EXPIRED');
    expect(late.message).toBe(
      `the join token expired at ${expiresAt.toISOString()}, 61 s ago (60 s of clock skew are allowed); run "keadm gettoken" on the cloud for a fresh token`,
    );
    expect(refusal(() => verifyJoinToken(ca, token, expiresAt.getTime() + 1, 0)).code).toBe('TOKEN_EXPIRED');
  });
});
