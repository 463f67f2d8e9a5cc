/**
 * Field selectors (`?fieldSelector=metadata.name=x,spec.nodeName!=`), parsed as apimachinery's fields.ParseSelector
 * does (terms split on unescaped commas, `\,` `\=` `\\` escapes in values, first `!=`/`==`/`=` splits a term),
 * then checked against what a resource can be selected by.
 */
import { SelectorError } from './errors';
import type { SelectableFields } from './field-sets';

export interface FieldTerm {
  readonly field: string;
  readonly operator: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  readonly terms: readonly FieldTerm[];
  /** The field names the terms use, in term order. */
  readonly fields: readonly string[];
  /** True when it selects everything. */
  readonly empty: boolean;
  /** `fields` is what SelectableFields.fields returned for the object; a field not in it has the value `''`. */
  matches(fields: Readonly<Record<string, string>>): boolean;
  toString(): string;
}

const fail = (message: string): SelectorError => new SelectorError('INVALID_FIELD_SELECTOR', message);

/**
 * A `?fieldSelector=` value; `''` selects everything. With `resource`, each field goes through the resource's
 * field label conversion, and one it does not support throws UNSUPPORTED_FIELD with the server's message
 * (`field label not supported: spec.foo`, or `"spec.foo" is not a known field selector: only ...`).
 */
export function parseFieldSelector(selector: string, resource?: SelectableFields): FieldSelector {
  const terms: FieldTerm[] = [];
  // The server sorts the raw terms first, so the first bad term in sorted order is the one it reports.
  for (const part of splitTerms(selector).sort()) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (split === undefined) throw fail(`invalid selector: '${selector}'; can't understand '${part}'`);
    const term: FieldTerm = { field: split.field, operator: split.operator === '!=' ? '!=' : '=', value: unescape(split.value) };
    terms.push(term);
  }
  return new Terms(resource === undefined ? terms : terms.flatMap((t) => convert(t, resource)));
}

function convert(term: FieldTerm, resource: SelectableFields): FieldTerm[] {
  const converted = resource.convert(term.field);
  if (typeof converted !== 'string') throw new SelectorError('UNSUPPORTED_FIELD', converted.error);
  // A term whose field and value both convert to nothing is dropped (fields.Selector.Transform).
  return converted === '' && term.value === '' ? [] : [{ ...term, field: converted }];
}

class Terms implements FieldSelector {
  readonly empty: boolean;
  readonly fields: readonly string[];

  constructor(readonly terms: readonly FieldTerm[]) {
    this.empty = terms.length === 0;
    this.fields = terms.map((t) => t.field);
  }

  matches(fields: Readonly<Record<string, string>>): boolean {
    return this.terms.every((t) => {
      const actual = Object.hasOwn(fields, t.field) ? fields[t.field] : '';
      return t.operator === '=' ? actual === t.value : actual !== t.value;
    });
  }

  toString(): string {
    return this.terms.map((t) => `${t.field}${t.operator}${escape(t.value)}`).join(',');
  }
}

/** Splits on commas that are not escaped; escapes stay in the terms. */
function splitTerms(selector: string): string[] {
  if (selector === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** Splits at the first operator; `!=` and `==` are tried before `=` at each position. */
function splitTerm(term: string): { field: string; operator: string; value: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), operator: op, value: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescape(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw fail(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v: its code point.
      throw fail(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw fail('invalid field selector: invalid escape sequence: \\');
  return out;
}

const escape = (value: string): string => value.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/=/g, '\\=');
