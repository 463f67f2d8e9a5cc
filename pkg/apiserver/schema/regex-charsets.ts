/** Character sets for the RE2 translation: POSIX classes, RE2's ASCII \\s, case variants, range helpers. */

export interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

export const CATEGORIES = new Set('C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs'.split(' '));
export const SPACE: [number, number][] = [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]];
export const POSIX: Record<string, [number, number][]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a], [0x5f, 0x5f]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

export const hex = (cp: number): string => `\\u{${cp.toString(16)}}`;
export const rangeText = ([lo, hi]: [number, number]): string => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`);

export function complement(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

/** The code point and its simple upper/lower case partners. */
export function caseVariants(cp: number): number[] {
  const ch = String.fromCodePoint(cp);
  const out = new Set([cp]);
  for (const v of [ch.toLowerCase(), ch.toUpperCase()]) {
    const code = v.codePointAt(0);
    if (code !== undefined && [...v].length === 1) out.add(code);
  }
  return [...out];
}

export function withCase(ranges: [number, number][], flags: Flags): [number, number][] {
  if (!flags.i) return ranges;
  const out = [...ranges];
  for (const [lo, hi] of ranges) {
    if (hi - lo > 2000) continue; // wide ranges already span both cases in practice
    for (let cp = lo; cp <= hi; cp++) for (const v of caseVariants(cp)) if (v < lo || v > hi) out.push([v, v]);
  }
  return out;
}

/** Go accepts Unicode script names after \\p; JS spells them `\\p{Script=Greek}`. */
export function isScript(name: string): boolean {
  try {
    new RegExp(`\\p{Script=${name}}`, 'u');
    return true;
  } catch {
    return false;
  }
}


/** A parse failure, printed as Go's regexp/syntax error: "error parsing regexp: <code>: `<expr>`". */
export class ParseError extends Error {
  constructor(
    readonly code: string,
    readonly expr: string,
  ) {
    super(`error parsing regexp: ${code}: \`${expr}\``);
  }
}

/** The pattern as code points and a position in it, shared by the parser's parts. */
export class Cursor {
  pos = 0;
  readonly chars: string[];

  constructor(readonly source: string) {
    this.chars = Array.from(source);
  }

  get atEnd(): boolean {
    return this.pos >= this.chars.length;
  }

  peek(offset = 0): string | undefined {
    return this.chars[this.pos + offset];
  }

  rest(from = this.pos): string {
    return this.chars.slice(from).join('');
  }

  text(from: number, to = this.pos): string {
    return this.chars.slice(from, to).join('');
  }
}
