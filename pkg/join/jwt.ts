/**
 * HS256 JSON Web Tokens (RFC 7519), the only kind a join token holds: just enough of the standard for that. A token
 * whose header names any other algorithm (notably "none") is refused as malformed, never verified by its own rules.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export type JwtCheck =
  | { ok: true; claims: Record<string, unknown> }
  | { ok: false; problem: 'malformed' | 'signature'; detail: string };

export function signHs256(claims: Record<string, unknown>, secret: Buffer): string {
  const signed = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signed}.${mac(signed, secret).toString('base64url')}`;
}

/** Checks the structure, the algorithm and the signature (in constant time); the claims are the caller's to judge. */
export function verifyHs256(jwt: string, secret: Buffer): JwtCheck {
  const parts = jwt.split('.');
  if (parts.length !== 3) return malformed(`a JWT has 3 dot-separated parts, this has ${parts.length}`);
  const [header = '', payload = '', signature = ''] = parts;
  if (![header, payload, signature].every((part) => BASE64URL.test(part))) return malformed('a JWT part is not base64url');

  const headerJson = parseObject(header);
  if (headerJson === undefined) return malformed('the JWT header is not a JSON object');
  if (headerJson['alg'] !== 'HS256') return malformed(`the JWT algorithm is ${JSON.stringify(headerJson['alg'])}, not "HS256"`);
  if (headerJson['typ'] !== undefined && headerJson['typ'] !== 'JWT') return malformed(`the JWT type is ${JSON.stringify(headerJson['typ'])}`);

  const expected = mac(`${header}.${payload}`, secret);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, problem: 'signature', detail: 'the signature does not match' };
  }
  const claims = parseObject(payload);
  if (claims === undefined) return malformed('the JWT payload is not a JSON object');
  return { ok: true, claims };
}

function mac(text: string, secret: Buffer): Buffer {
  return createHmac('sha256', secret).update(text).digest();
}

function parseObject(part: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const malformed = (detail: string): JwtCheck => ({ ok: false, problem: 'malformed', detail });
