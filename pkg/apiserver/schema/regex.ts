/**
 * CRD `pattern`s are Go RE2 syntax, not ECMAScript: the server compiles them with regexp.Compile and refuses the
 * CRD with Go's parse error. This module translates RE2 to an equivalent JS `u`-mode RegExp, and refuses what RE2
 * refuses (lookarounds, backreferences, nested repetition...) with Go's error text. Known gaps: case folding under
 * a scoped `(?i)` uses JS toLowerCase/toUpperCase rather than Go's fold orbits (e.g. no K/Kelvin sign).
 */
import { charClass, classEscape, escapedCodePoint, literal } from './regex-class';
import { Cursor, ParseError, type Flags } from './regex-charsets';

export type CompiledPattern = { ok: true; regex: RegExp } | { ok: false; error: string };

const MAX_DEPTH = 1000;
const MAX_REPEAT = 1000;
const WORD = /^[A-Za-z0-9_]+$/;

class Translator {
  private readonly cur: Cursor;

  constructor(private readonly source: string) {
    this.cur = new Cursor(source);
  }

  run(): string {
    const out = this.alternation({ i: false, m: false, s: false, U: false }, 0);
    if (!this.cur.atEnd) throw new ParseError('unexpected )', this.source);
    return out;
  }

  /** Everything up to the `)` that closes the current group (or the end). Flags set inside stay inside. */
  private alternation(flags: Flags, depth: number): string {
    if (depth > MAX_DEPTH) throw new ParseError('expression nests too deeply', this.source);
    const cur = this.cur;
    const state = { ...flags };
    const branches: string[] = [];
    let current = '';
    let lastAtom: string | undefined;
    let lastRepeat = -1; // where the last repetition operator started, for Go's nested-repeat check
    while (!cur.atEnd) {
      const c = cur.peek();
      if (c === ')') break;
      if (c === '|') {
        cur.pos++;
        branches.push(current + (lastAtom ?? ''));
        current = '';
        lastAtom = undefined;
        lastRepeat = -1;
        continue;
      }
      const start = cur.pos;
      const repeat = this.repetition(state);
      if (repeat !== undefined) {
        if (lastRepeat >= 0) throw new ParseError('invalid nested repetition operator', cur.text(lastRepeat));
        if (lastAtom === undefined) throw new ParseError('missing argument to repetition operator', cur.text(start));
        lastAtom = `(?:${lastAtom})${repeat}`;
        lastRepeat = start;
        continue;
      }
      lastRepeat = -1;
      current += lastAtom ?? '';
      lastAtom = this.atom(state, depth);
      if (lastAtom === '') lastAtom = undefined; // a flag group like (?i) is nothing to repeat
    }
    branches.push(current + (lastAtom ?? ''));
    return branches.join('|');
  }

  /** A repetition operator at the cursor, translated; undefined if there is none (a bad `{` is a literal). */
  private repetition(flags: Flags): string | undefined {
    const cur = this.cur;
    const c = cur.peek();
    let op: string;
    if (c === '*' || c === '+' || c === '?') {
      op = c;
      cur.pos++;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(cur.rest());
      if (!m) return undefined;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
      if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) throw new ParseError('invalid repeat count', m[0]);
      op = m[0];
      cur.pos += m[0].length;
    } else {
      return undefined;
    }
    const lazy = cur.peek() === '?';
    if (lazy) cur.pos++;
    return lazy !== flags.U ? `${op}?` : op;
  }

  private atom(flags: Flags, depth: number): string {
    const c = this.cur.chars[this.cur.pos++];
    switch (c) {
      case '(':
        return this.group(flags, depth);
      case '[':
        return charClass(this.cur, flags);
      case '\\':
        return this.escape(flags);
      case '.':
        return flags.s ? '[\\u{0}-\\u{10ffff}]' : '[^\\n]';
      case '^':
        return flags.m ? '(?:^|(?<=\\n))' : '(?:^)';
      case '$':
        return flags.m ? '(?:$|(?=\\n))' : '(?:$)';
      default:
        return literal(c.codePointAt(0) ?? 0, flags);
    }
  }

  private group(flags: Flags, depth: number): string {
    const cur = this.cur;
    const open = cur.pos - 1;
    if (cur.peek() === '?') {
      // Go reads (?<=...) and (?<!...) as named captures with an invalid name, hence that error for lookbehinds.
      const named = /^\(\?P?</.exec(cur.rest(open));
      if (!named) return this.flagGroup(flags, depth, open);
      const close = cur.rest(open).indexOf('>');
      if (close < 0) throw new ParseError('invalid named capture', cur.rest(open));
      const capture = cur.rest(open).slice(0, close + 1);
      if (!WORD.test(capture.slice(named[0].length, -1))) throw new ParseError('invalid named capture', capture);
      cur.pos = open + Array.from(capture).length;
    }
    const body = this.alternation(flags, depth + 1);
    if (cur.peek() !== ')') throw new ParseError('missing closing )', this.source);
    cur.pos++;
    return `(${body})`;
  }

  /** `(?flags)` changes the enclosing group's flags (returns ''), `(?flags:re)` opens a group with them. */
  private flagGroup(flags: Flags, depth: number, open: number): string {
    const cur = this.cur;
    cur.pos++; // the '?'
    const next = { ...flags };
    let sign = true;
    let sawFlag = false;
    while (!cur.atEnd) {
      const c = cur.chars[cur.pos++];
      if (c === 'i' || c === 'm' || c === 's' || c === 'U') {
        next[c] = sign;
        sawFlag = true;
      } else if (c === '-' && sign) {
        sign = false;
        sawFlag = false;
      } else if ((c === ':' || c === ')') && (sign || sawFlag)) {
        if (c === ')') {
          Object.assign(flags, next);
          return '';
        }
        const body = this.alternation(next, depth + 1);
        if (cur.peek() !== ')') throw new ParseError('missing closing )', this.source);
        cur.pos++;
        return `(?:${body})`;
      } else {
        break;
      }
    }
    throw new ParseError('invalid or unsupported Perl syntax', cur.text(open));
  }

  private escape(flags: Flags): string {
    const cur = this.cur;
    const start = cur.pos - 1;
    if (cur.atEnd) throw new ParseError('trailing backslash at end of expression', '');
    const c = cur.peek();
    if (c === 'A' || c === 'z' || c === 'b' || c === 'B') {
      cur.pos++;
      return c === 'A' ? '(?:^)' : c === 'z' ? '(?:$)' : `\\${c}`;
    }
    if (c === 'Q') {
      cur.pos++;
      const end = cur.rest().indexOf('\\E');
      const text = Array.from(end < 0 ? cur.rest() : cur.rest().slice(0, end));
      cur.pos += text.length + (end < 0 ? 0 : 2);
      return text.map((ch) => `(?:${literal(ch.codePointAt(0) ?? 0, flags)})`).join('');
    }
    const set = classEscape(cur, start);
    if (set !== undefined) return `[${set}]`;
    return literal(escapedCodePoint(cur, start), flags);
  }
}

/** Compiles a CRD `pattern` with RE2 semantics; `error` is Go's message when RE2 would refuse it. */
export function compileRe2(pattern: string): CompiledPattern {
  try {
    return { ok: true, regex: new RegExp(new Translator(pattern).run(), 'u') };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, error: err.message };
    // A translation this module got wrong must not pass silently; report it the way Go reports its own bugs.
    return { ok: false, error: `error parsing regexp: regexp/syntax: internal error: \`${pattern}\`` };
  }
}

/** Compiled patterns of one schema, so that each is translated once (bounded by the schema's size). */
export class PatternCache {
  private readonly compiled = new Map<string, CompiledPattern>();

  get(pattern: string): CompiledPattern {
    let entry = this.compiled.get(pattern);
    if (!entry) {
      entry = compileRe2(pattern);
      this.compiled.set(pattern, entry);
    }
    return entry;
  }
}
