/**
 * The `?labelSelector=` string grammar, lexed and parsed the way apimachinery's labels.Parse does, so that every
 * error names the same token the real server names:
 *
 *   selector    ::= requirement | requirement "," selector
 *   requirement ::= ["!"] KEY [ ("in" | "notin") "(" values ")" | ("=" | "==" | "!=" | ">" | "<") VALUE ]
 */
import { SelectorError, aggregate } from './errors';
import { keyError, requirementErrors, type Operator, type Requirement } from './requirement';

type Token = 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

interface Item {
  tok: Token;
  lit: string;
}

const KEYWORDS: Readonly<Record<string, Token>> = {
  ')': ')',
  ',': ',',
  '!': '!',
  '==': '==',
  '=': '=',
  '>': '>',
  in: 'in',
  '<': '<',
  '!=': '!=',
  notin: 'notin',
  '(': '(',
};

const keyword = (s: string): Token | undefined => (Object.hasOwn(KEYWORDS, s) ? KEYWORDS[s] : undefined);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c) && c !== '';

/** Splits the selector into tokens. A NUL character ends the input, as Go's lexer reads it as end of string. */
function lex(input: string): Item[] {
  const s = input.includes('\0') ? input.slice(0, input.indexOf('\0')) : input;
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isSpace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'end', lit: '' });
      return items;
    }
    if (isSpecial(s[pos])) {
      // The longest run of special characters that is still an operator.
      let best: Item | undefined;
      let end = pos;
      while (end < s.length && isSpecial(s[end])) {
        const tok = keyword(s.slice(pos, end + 1));
        if (tok !== undefined) best = { tok, lit: s.slice(pos, end + 1) };
        else if (best !== undefined) break;
        end++;
      }
      // Every single special character is an operator, so `best` is always set.
      items.push(best as Item);
      pos += (best as Item).lit.length;
      continue;
    }
    const start = pos;
    while (pos < s.length && !isSpecial(s[pos]) && !isSpace(s[pos])) pos++;
    const lit = s.slice(start, pos);
    const tok = lit === 'in' || lit === 'notin' ? (lit as Token) : 'id';
    items.push({ tok, lit });
  }
}

const fail = (message: string): SelectorError => new SelectorError('INVALID_LABEL_SELECTOR', message);

class Parser {
  private position = 0;

  constructor(private readonly items: Item[]) {}

  /** In value position `in` and `notin` are plain identifiers (`x in (in)`). */
  private peek(asValue: boolean): Item {
    const item = this.items[this.position];
    return asValue && (item.tok === 'in' || item.tok === 'notin') ? { tok: 'id', lit: item.lit } : item;
  }

  private next(asValue: boolean): Item {
    const item = this.peek(asValue);
    this.position++;
    return item;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === 'end') return requirements;
      if (tok !== 'id' && tok !== '!') throw fail(`found '${lit}', expected: !, identifier, or 'end of string'`);
      requirements.push(this.requirement());
      const after = this.next(true);
      if (after.tok === 'end') return requirements;
      if (after.tok !== ',') throw fail(`found '${after.lit}', expected: ',' or 'end of string'`);
      const following = this.peek(true);
      if (following.tok !== 'id' && following.tok !== '!') {
        throw fail(`found '${following.lit}', expected: identifier after ','`);
      }
    }
  }

  private requirement(): Requirement {
    try {
      return this.parseRequirement();
    } catch (e) {
      if (e instanceof SelectorError) throw fail(`unable to parse requirement: ${e.message}`);
      throw e;
    }
  }

  private parseRequirement(): Requirement {
    let item = this.next(true);
    let negated = false;
    if (item.tok === '!') {
      negated = true;
      item = this.next(true);
    }
    if (item.tok !== 'id') throw fail(`found '${item.lit}', expected: identifier`);
    const key = item.lit;
    const bad = keyError(key, '<nil>');
    if (bad !== undefined) throw fail(bad);
    const ahead = this.peek(true).tok;
    if (negated || ahead === 'end' || ahead === ',') return validated({ key, operator: negated ? '!' : 'exists', values: [] });
    const op = this.next(false);
    const operator = OPERATOR_OF[op.tok];
    if (operator === undefined) throw fail(`found '${op.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    const values = operator === 'in' || operator === 'notin' ? this.valueSet() : this.exactValue();
    return validated({ key, operator, values: [...new Set(values)].sort() });
  }

  private valueSet(): string[] {
    const open = this.next(true);
    if (open.tok !== '(') throw fail(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.peek(true);
    if (tok === ')') {
      this.next(true);
      return [''];
    }
    if (tok !== 'id' && tok !== ',') throw fail(`found '${lit}', expected: ',', ')' or identifier`);
    const values = this.identifiers();
    if (this.next(true).tok !== ')') throw fail(`found '${lit}', expected: ')'`);
    return values;
  }

  /** A comma-separated list where empty entries are the empty string: `(a,,b)`, `(,a)`, `(a,)`. */
  private identifiers(): string[] {
    const values: string[] = [];
    for (;;) {
      const { tok, lit } = this.next(true);
      if (tok === 'id') {
        values.push(lit);
        const after = this.peek(true);
        if (after.tok === ',') continue;
        if (after.tok === ')') return values;
        throw fail(`found '${after.lit}', expected: ',' or ')'`);
      }
      if (tok !== ',') throw fail(`found '${lit}', expected: ',', or identifier`);
      if (values.length === 0) values.push('');
      const after = this.peek(true).tok;
      if (after === ')') {
        values.push('');
        return values;
      }
      if (after === ',') {
        this.next(true);
        values.push('');
      }
    }
  }

  private exactValue(): string[] {
    const ahead = this.peek(true).tok;
    if (ahead === 'end' || ahead === ',') return [''];
    const { tok, lit } = this.next(true);
    if (tok === 'id') return [lit];
    throw fail(`found '${lit}', expected: identifier`);
  }
}

const OPERATOR_OF: Partial<Record<Token, Operator>> = {
  in: 'in',
  notin: 'notin',
  '=': '=',
  '==': '==',
  '!=': '!=',
  '>': 'gt',
  '<': 'lt',
};

function validated(r: Requirement): Requirement {
  const errs = requirementErrors(r, '');
  if (errs.length > 0) throw fail(aggregate(errs));
  return r;
}

/** The requirements of a `?labelSelector=` string, sorted by key as the server keeps them. */
export function parseRequirements(selector: string): Requirement[] {
  const requirements = new Parser(lex(selector)).parse();
  return requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
