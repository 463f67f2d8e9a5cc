/**
 * Static bearer tokens in kube-apiserver's --token-auth-file format: one `token,user,uid[,"group1,group2"]` per line.
 * A malformed line refuses the whole file, naming the line, rather than silently leaving a user unable to log in.
 */
import { readFileSync } from 'node:fs';
import type { UserInfo } from '../apiserver/handlers/scope';

export class TokenFileError extends Error {
  readonly code = 'TOKEN_FILE_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'TokenFileError';
  }
}

export function readTokenFile(path: string): Map<string, UserInfo> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TokenFileError(`cannot read the token file ${path}: ${(error as Error).message}`);
  }
  return parseTokenFile(text, path);
}

export function parseTokenFile(text: string, origin: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = splitCsv(line);
    const [token, user, uid] = fields;
    if (!token || !user || uid === undefined || fields.length > 4) {
      throw new TokenFileError(`${origin}:${index + 1}: expected token,user,uid[,"group1,group2"]`);
    }
    if (tokens.has(token)) throw new TokenFileError(`${origin}:${index + 1}: this token is already listed on an earlier line`);
    const groups = (fields[3] ?? '').split(',').map((g) => g.trim()).filter(Boolean);
    tokens.set(token, { name: user, groups });
  });
  return tokens;
}

/** Comma-separated fields where a field may be double-quoted (and then contain commas). */
function splitCsv(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === ',' && !quoted) {
      fields.push(current.trim());
      current = '';
    } else current += char;
  }
  fields.push(current.trim());
  return fields;
}
