/**
 * The JSONPath subset of client-go's util/jsonpath used by printer columns and kubectl: `.a.b`, `['a.b']`, `..a`
 * (recursive), `*`, `[0]`, `[-1]`, `[1:3]`, `[::2]`, `[0,2]`, `[?(@.type=="Ready")]`, `[?(@.x)]`, with or without the
 * surrounding `{}` and the leading `$`. Missing keys give no result (AllowMissingKeys), as for printer columns; an
 * index out of range or a field of a non-object also gives none (client-go errors, which leaves the cell empty).
 * Not supported: `range`/`end`, text around actions, several actions.
 */
import { SchemaError } from './errors';
import { compareGo } from './go-format';
import { hasOwn, isObject, jsonEqual } from './schema-types';

type Operand = { kind: 'path'; steps: Step[] } | { kind: 'literal'; value: unknown };

type Step =
  | { kind: 'field'; names: string[]; recursive: boolean }
  | { kind: 'wildcard'; recursive: boolean }
  | { kind: 'index'; indexes: number[] }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'filter'; left: Operand; op?: '==' | '!=' | '<' | '>' | '<=' | '>='; right?: Operand };

export interface JsonPath {
  readonly source: string;
  readonly steps: readonly Step[];
}

const FIELD_END = /[\s.[\]$()=!<>,{}'"@?*]/;

class Parser {
  private pos = 0;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  private fail(why: string): never {
    throw new SchemaError('INVALID_JSONPATH', `invalid JSONPath ${JSON.stringify(this.source)}: ${why} at offset ${this.pos}`);
  }

  private skipSpaces(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  /** Steps until the end, or until `stop` (inside a filter). */
  steps(stop?: RegExp): Step[] {
    const steps: Step[] = [];
    while (this.pos < this.text.length && !(stop && stop.test(this.text[this.pos]))) {
      const c = this.text[this.pos];
      if (c === '.') {
        const recursive = this.text[this.pos + 1] === '.';
        this.pos += recursive ? 2 : 1;
        if (this.text[this.pos] === '*') {
          this.pos++;
          steps.push({ kind: 'wildcard', recursive });
        } else if (this.text[this.pos] === '[' && recursive) {
          steps.push({ kind: 'wildcard', recursive: true });
        } else {
          const name = this.fieldName();
          if (name === '' && !recursive && this.pos >= this.text.length && steps.length === 0) continue; // "." alone
          if (name === '') this.fail('expected a field name');
          steps.push({ kind: 'field', names: [name], recursive });
        }
      } else if (c === '[') {
        steps.push(this.bracket());
      } else {
        this.fail(`unexpected ${JSON.stringify(c)}`);
      }
    }
    return steps;
  }

  private fieldName(): string {
    let name = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === '\\' && this.text[this.pos + 1] === '.') {
        name += '.';
        this.pos += 2;
      } else if (FIELD_END.test(c)) {
        break;
      } else {
        name += c;
        this.pos++;
      }
    }
    return name;
  }

  private bracket(): Step {
    this.pos++; // [
    this.skipSpaces();
    let step: Step;
    if (this.text.startsWith('?(', this.pos)) {
      this.pos += 2;
      step = this.filter();
    } else if (this.text[this.pos] === '*') {
      this.pos++;
      step = { kind: 'wildcard', recursive: false };
    } else if (this.text[this.pos] === "'" || this.text[this.pos] === '"') {
      const names = [this.quoted()];
      while ((this.skipSpaces(), this.text[this.pos]) === ',') {
        this.pos++;
        this.skipSpaces();
        names.push(this.quoted());
      }
      step = { kind: 'field', names, recursive: false };
    } else {
      const m = /^(-?\d*)\s*(:\s*(-?\d*)\s*(:\s*(-?\d*))?)?/.exec(this.text.slice(this.pos)) ?? this.fail('bad index');
      if (m[2] !== undefined) {
        const num = (s: string | undefined): number | undefined => (s ? Number(s) : undefined);
        step = { kind: 'slice', start: num(m[1]), end: num(m[3]), step: num(m[5]) };
        this.pos += m[0].length;
      } else {
        const list = /^-?\d+(\s*,\s*-?\d+)*/.exec(this.text.slice(this.pos)) ?? this.fail('bad index');
        step = { kind: 'index', indexes: list[0].split(',').map((x) => Number(x.trim())) };
        this.pos += list[0].length;
      }
    }
    this.skipSpaces();
    if (this.text[this.pos] !== ']') this.fail('expected ]');
    this.pos++;
    return step;
  }

  private quoted(): string {
    const quote = this.text[this.pos];
    if (quote !== "'" && quote !== '"') this.fail('expected a quoted name');
    const end = this.text.indexOf(quote, this.pos + 1);
    if (end < 0) this.fail('unterminated string');
    const value = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return value;
  }

  private operand(): Operand {
    this.skipSpaces();
    const rest = this.text.slice(this.pos);
    if (rest.startsWith('@')) {
      this.pos++;
      return { kind: 'path', steps: this.steps(/[\s=!<>)]/) };
    }
    if (rest[0] === "'" || rest[0] === '"') return { kind: 'literal', value: this.quoted() };
    const m = /^(-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null)/.exec(rest) ?? this.fail('expected a value');
    this.pos += m[0].length;
    return { kind: 'literal', value: JSON.parse(m[0]) as unknown };
  }

  private filter(): Step {
    const left = this.operand();
    this.skipSpaces();
    const op = /^(==|!=|<=|>=|<|>)/.exec(this.text.slice(this.pos))?.[0] as Extract<Step, { kind: 'filter' }>['op'];
    let right: Operand | undefined;
    if (op) {
      this.pos += op.length;
      right = this.operand();
      this.skipSpaces();
    }
    if (this.text[this.pos] !== ')') this.fail('expected )');
    this.pos++;
    return { kind: 'filter', left, op, right };
  }
}

/** Parses `{.spec.replicas}`, `.spec.replicas`, `$.spec` or the relaxed `spec.replicas`. Throws SchemaError INVALID_JSONPATH. */
export function parseJsonPath(expression: string): JsonPath {
  let text = expression.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1).trim();
  if (text.startsWith('$')) text = text.slice(1);
  if (text !== '' && !text.startsWith('.') && !text.startsWith('[')) text = `.${text}`;
  if (text.includes('{') || text.includes('}')) throw new SchemaError('INVALID_JSONPATH', `invalid JSONPath ${JSON.stringify(expression)}: only one {} action is supported`);
  return { source: expression, steps: new Parser(text, expression).steps() };
}

const children = (v: unknown): unknown[] =>
  Array.isArray(v) ? v : isObject(v) ? Object.keys(v).sort(compareGo).map((k) => v[k]) : [];

function descendants(v: unknown): unknown[] {
  const out = [v];
  for (const c of children(v)) out.push(...descendants(c));
  return out;
}

function compare(left: unknown, op: string, right: unknown): boolean {
  if (op === '==' || op === '!=') {
    const equal = typeof left === 'number' && typeof right === 'number' ? left === right : jsonEqual(left, right);
    return op === '==' ? equal : !equal;
  }
  const ordered = (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!ordered) return false;
  const [a, b] = [left as number | string, right as number | string];
  return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
}

function operandValues(o: Operand, item: unknown): unknown[] {
  return o.kind === 'literal' ? [o.value] : evaluate(o.steps, [item]);
}

function apply(step: Step, input: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const value of input) {
    if (value === null || value === undefined) continue;
    switch (step.kind) {
      case 'field':
        for (const v of step.recursive ? descendants(value) : [value]) {
          for (const name of step.names) if (isObject(v) && hasOwn(v, name)) out.push(v[name]);
        }
        break;
      case 'wildcard':
        out.push(...(step.recursive ? descendants(value).slice(1) : children(value)));
        break;
      case 'index':
        if (!Array.isArray(value)) break;
        for (const i of step.indexes) {
          const at = i < 0 ? i + value.length : i;
          if (at >= 0 && at < value.length) out.push(value[at]);
        }
        break;
      case 'slice': {
        if (!Array.isArray(value) || (step.step !== undefined && step.step <= 0)) break;
        const len = value.length;
        const start = step.start === undefined ? 0 : step.start < 0 ? step.start + len : step.start;
        const end = step.end === undefined ? len : step.end < 0 ? step.end + len : step.end;
        if (start < 0 || end > len || start > end) break;
        for (let i = start; i < end; i += step.step ?? 1) out.push(value[i]);
        break;
      }
      case 'filter':
        for (const item of children(value)) {
          const lefts = operandValues(step.left, item);
          if (!step.op || !step.right) {
            if (lefts.length > 0) out.push(item);
          } else if (lefts.some((l) => operandValues(step.right as Operand, item).some((r) => compare(l, step.op as string, r)))) {
            out.push(item);
          }
        }
        break;
    }
  }
  return out;
}

function evaluate(steps: readonly Step[], input: unknown[]): unknown[] {
  return steps.reduce((values, step) => apply(step, values), input);
}

/** Every value the path selects in `data`, in document order. */
export function findJsonPath(path: JsonPath, data: unknown): unknown[] {
  return evaluate(path.steps, [data]);
}
