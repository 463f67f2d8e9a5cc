/** The parts of RE2 syntax that denote characters: escapes, `\d`/`\pL` classes and `[...]` classes. */
import {
  CATEGORIES,
  POSIX,
  ParseError,
  SPACE,
  caseVariants,
  complement,
  hex,
  isScript,
  rangeText,
  withCase,
  type Cursor,
  type Flags,
} from './regex-charsets';

const CONTROL_ESCAPES: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 };

/** One character as JS source; under `(?i)` it becomes a class of its case variants. */
export function literal(cp: number, flags: Flags): string {
  const variants = flags.i ? caseVariants(cp) : [cp];
  return variants.length === 1 ? hex(cp) : `[${variants.map(hex).join('')}]`;
}

/** `\d \s \w \pL \p{Greek}` (cursor after the backslash) as class contents, or undefined if not a class escape. */
export function classEscape(cur: Cursor, start: number): string | undefined {
  const c = cur.peek();
  if (c === 'd' || c === 'D' || c === 'w' || c === 'W') {
    cur.pos++;
    return `\\${c}`;
  }
  if (c === 's' || c === 'S') {
    cur.pos++;
    return (c === 's' ? SPACE : complement(SPACE)).map(rangeText).join('');
  }
  if (c !== 'p' && c !== 'P') return undefined;
  cur.pos++;
  let name = cur.peek() ?? '';
  if (name === '{') {
    const close = cur.rest().indexOf('}');
    if (close < 0) throw new ParseError('invalid character class range', cur.rest(start));
    name = cur.rest().slice(1, close);
    cur.pos += Array.from(name).length + 2;
  } else {
    cur.pos++;
  }
  let negated = c === 'P';
  if (name.startsWith('^')) {
    negated = !negated;
    name = name.slice(1);
  }
  let js: string;
  if (name === 'Any') js = '\\u{0}-\\u{10ffff}';
  else if (CATEGORIES.has(name)) js = `\\p{${name}}`;
  else if (/^[A-Za-z_]+$/.test(name) && isScript(name)) js = `\\p{Script=${name}}`;
  else throw new ParseError('invalid character class range', cur.text(start));
  if (!negated) return js;
  return name === 'Any' ? '' : js.replace('\\p', '\\P');
}

/** A single escaped character (cursor after the backslash): octal, \x, control letters, escaped punctuation. */
export function escapedCodePoint(cur: Cursor, start: number): number {
  const c = cur.chars[cur.pos++];
  if (c >= '1' && c <= '7' && !/[0-7]/.test(cur.peek() ?? '')) {
    throw new ParseError('invalid escape sequence', `\\${c}`); // a backreference, which RE2 does not have
  }
  if (c >= '0' && c <= '7') {
    let digits = c;
    while (digits.length < 3 && /[0-7]/.test(cur.peek() ?? '')) digits += cur.chars[cur.pos++];
    return parseInt(digits, 8);
  }
  if (c === 'x') {
    const m = /^(\{([0-9A-Fa-f]+)\}|[0-9A-Fa-f]{2})/.exec(cur.rest());
    const value = m ? parseInt(m[2] ?? m[1], 16) : NaN;
    if (!m || value > 0x10ffff) throw new ParseError('invalid escape sequence', cur.text(start, cur.pos + (m?.[0].length ?? 0)));
    cur.pos += m[0].length;
    return value;
  }
  if (c in CONTROL_ESCAPES) return CONTROL_ESCAPES[c];
  const cp = c.codePointAt(0) ?? 0;
  if (cp < 0x80 && !/[A-Za-z0-9]/.test(c)) return cp;
  throw new ParseError('invalid escape sequence', `\\${c}`);
}

function classChar(cur: Cursor, missing: () => ParseError): number {
  if (cur.atEnd) throw missing();
  if (cur.peek() === '\\') {
    const start = cur.pos++;
    if (cur.atEnd) throw missing();
    return escapedCodePoint(cur, start);
  }
  return cur.chars[cur.pos++].codePointAt(0) ?? 0;
}

/** A `[...]` class, cursor after the `[`. As in RE2 a `]` first in the class is a literal, and `-` is allowed anywhere. */
export function charClass(cur: Cursor, flags: Flags): string {
  const open = cur.pos - 1;
  const missing = (): ParseError => new ParseError('missing closing ]', cur.rest(open));
  const negated = cur.peek() === '^';
  if (negated) cur.pos++;
  const items: string[] = [];
  const ranges: [number, number][] = [];
  let first = true;
  while (first || cur.peek() !== ']') {
    if (cur.atEnd) throw missing();
    first = false;
    const posix = /^\[:(\^?)([a-z]+):\]/.exec(cur.rest());
    if (posix) {
      const set = POSIX[posix[2]];
      if (!set) throw new ParseError('invalid character class range', posix[0]);
      ranges.push(...(posix[1] ? complement(set) : set));
      cur.pos += posix[0].length;
      continue;
    }
    if (cur.peek() === '\\') {
      const start = cur.pos++;
      if (cur.atEnd) throw missing();
      const escaped = classEscape(cur, start);
      if (escaped !== undefined) {
        items.push(escaped);
        continue;
      }
      cur.pos = start;
    }
    const rangeStart = cur.pos;
    const lo = classChar(cur, missing);
    let hi = lo;
    if (cur.peek() === '-' && cur.pos + 1 < cur.chars.length && cur.peek(1) !== ']') {
      cur.pos++;
      hi = classChar(cur, missing);
      if (hi < lo) throw new ParseError('invalid character class range', cur.text(rangeStart));
    }
    ranges.push([lo, hi]);
  }
  cur.pos++; // the closing ]
  const body = withCase(ranges, flags).map(rangeText).join('') + items.join('');
  if (body === '') return negated ? '[\\u{0}-\\u{10ffff}]' : '[^\\u{0}-\\u{10ffff}]';
  return `[${negated ? '^' : ''}${body}]`;
}
