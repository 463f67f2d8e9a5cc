/** `metav1.LabelSelector` as the apimachinery helpers read it: matching and the string forms printers use. */
import { isObject, objs, str, stringMap, strings } from './json';

interface Requirement {
  key: string;
  /** `=`, `in`, `notin`, `exists`, `!` (does not exist). */
  op: '=' | 'in' | 'notin' | 'exists' | '!';
  values: string[];
}

const OPERATORS: Readonly<Record<string, Requirement['op']>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/** The requirements of a selector sorted by key (`LabelSelectorAsSelector`); undefined for a bad operator. */
function requirements(selector: unknown): Requirement[] | undefined {
  const s = isObject(selector) ? selector : {};
  const out: Requirement[] = Object.entries(stringMap(s.matchLabels)).map(([key, v]) => ({ key, op: '=', values: [v] }));
  for (const e of objs(s.matchExpressions)) {
    const op = OPERATORS[str(e.operator)];
    if (op === undefined) return undefined;
    out.push({ key: str(e.key), op, values: strings(e.values) });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** `labels.Selector.String()`: `app=web,tier in (a,b),!legacy`; `''` for an empty selector. */
export function selectorString(selector: unknown): string {
  const reqs = requirements(selector);
  if (reqs === undefined) return '';
  return reqs
    .map((r) => {
      switch (r.op) {
        case '=':
          return `${r.key}=${r.values[0]}`;
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        default:
          return `${r.key} ${r.op} (${[...r.values].sort().join(',')})`;
      }
    })
    .join(',');
}

/** `metav1.FormatLabelSelector`: `<none>` when empty, `<error>` when it does not convert. */
export function formatLabelSelector(selector: unknown): string {
  if (requirements(selector) === undefined) return '<error>';
  const text = selectorString(selector);
  return text === '' ? '<none>' : text;
}

/** Whether `labels` satisfy the selector; a missing selector matches nothing, an empty one everything. */
export function selectorMatches(selector: unknown, labels: Record<string, string>): boolean {
  if (!isObject(selector)) return false;
  const reqs = requirements(selector);
  if (reqs === undefined) return false;
  return reqs.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const value = labels[r.key];
    switch (r.op) {
      case '=':
      case 'in':
        return has && r.values.includes(value as string);
      case 'notin':
        return !has || !r.values.includes(value as string);
      case 'exists':
        return has;
      case '!':
        return !has;
    }
  });
}

/** `labels.FormatLabels`: `a=1,b=2` sorted, `<none>` when empty. */
export function formatLabels(labels: unknown): string {
  const m = stringMap(labels);
  const text = Object.keys(m)
    .sort()
    .map((k) => `${k}=${m[k]}`)
    .join(',');
  return text === '' ? '<none>' : text;
}
