/**
 * One label requirement (`key op values`), validated and matched as apimachinery's labels.Requirement is.
 */
import { goQuote, goStringSlice, invalidField, labelValueErrors, qualifiedNameErrors, unsupportedField } from './validation';

export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** Sorted and without duplicates when parsed from a string; as given when built from a structured selector. */
  readonly values: readonly string[];
}

/** Labels as found on an object; a missing map is an empty one. */
export type Labels = Readonly<Record<string, string>> | undefined;

/** The operators NewRequirement accepts, in its order, as its "supported values" list prints them. */
export const OPERATORS: readonly string[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt', 'exists', '!'];

const INT64 = /^[+-]?[0-9]+$/;
const isInt64 = (s: string): boolean => INT64.test(s) && BigInt(s) < 2n ** 63n && BigInt(s) >= -(2n ** 63n);

/** The key error `validateLabelKey` reports at `path`; undefined when the key is valid. */
export function keyError(key: string, path: string): string | undefined {
  const errs = qualifiedNameErrors(key);
  return errs.length === 0 ? undefined : invalidField(path, goQuote(key), errs.join('; '));
}

/**
 * NewRequirement's checks; every problem, each formatted as a field.Error under `path` (`''` for none, which
 * prints `key`, `values[0]`...). Empty when the requirement is valid.
 */
export function requirementErrors(r: Requirement, path: string): string[] {
  const at = (child: string): string => (path === '' ? child : `${path}.${child}`);
  const errs: string[] = [];
  const bad = keyError(r.key, at('key'));
  if (bad !== undefined) errs.push(bad);
  const vals = r.values;
  const valuesPath = at('values');
  switch (r.operator) {
    case 'in':
    case 'notin':
      if (vals.length === 0) {
        errs.push(invalidField(valuesPath, goStringSlice(vals), "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case '=':
    case '==':
    case '!=':
      if (vals.length !== 1) {
        errs.push(invalidField(valuesPath, goStringSlice(vals), 'exact-match compatibility requires one single value'));
      }
      break;
    case 'exists':
    case '!':
      if (vals.length !== 0) {
        errs.push(invalidField(valuesPath, goStringSlice(vals), 'values set must be empty for exists and does not exist'));
      }
      break;
    case 'gt':
    case 'lt':
      if (vals.length !== 1) {
        errs.push(invalidField(valuesPath, goStringSlice(vals), "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      vals.forEach((v, i) => {
        if (!isInt64(v)) {
          errs.push(invalidField(`${valuesPath}[${i}]`, goQuote(v), "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      });
      break;
    default:
      errs.push(unsupportedField(at('operator'), r.operator, OPERATORS));
  }
  vals.forEach((v, i) => {
    const problems = labelValueErrors(v);
    if (problems.length > 0) errs.push(invalidField(`${valuesPath}[${i}][${r.key}]`, goQuote(v), problems.join('; ')));
  });
  return errs;
}

const has = (labels: Labels, key: string): boolean => labels !== undefined && Object.hasOwn(labels, key);

/** Requirement.Matches. Gt and Lt compare as int64 and never match a value that is not one. */
export function matchesRequirement(r: Requirement, labels: Labels): boolean {
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has(labels, r.key) && r.values.includes((labels as Record<string, string>)[r.key]);
    case 'notin':
    case '!=':
      return !has(labels, r.key) || !r.values.includes((labels as Record<string, string>)[r.key]);
    case 'exists':
      return has(labels, r.key);
    case '!':
      return !has(labels, r.key);
    case 'gt':
    case 'lt': {
      if (!has(labels, r.key) || r.values.length !== 1) return false;
      const actual = (labels as Record<string, string>)[r.key];
      if (!isInt64(actual) || !isInt64(r.values[0])) return false;
      const a = BigInt(actual);
      const b = BigInt(r.values[0]);
      return r.operator === 'gt' ? a > b : a < b;
    }
  }
}

/** Requirement.String: `!a`, `a`, `a=b`, `a in (x,y)`, `a>5`. */
export function requirementString(r: Requirement): string {
  const values = r.values.length === 1 ? r.values[0] : [...r.values].sort().join(',');
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
      return `${r.key} in (${values})`;
    case 'notin':
      return `${r.key} notin (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}
