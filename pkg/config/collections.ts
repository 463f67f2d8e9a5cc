import { field, leaf } from './field';
import type { Parsed } from './parse-result';

/** A YAML list whose items are each checked by `item`; every bad item is reported at its index. */
export function list<T>(options: {
  default: readonly (string | number)[];
  description: string;
  item: (input: unknown) => Parsed<T>;
  itemHint: string;
  minItems?: number;
}) {
  const { minItems = 0 } = options;
  const schema = leaf<T[]>((input, report) => {
    if (!Array.isArray(input)) {
      report({ problem: 'not a list', hint: `write a YAML list (one "- item" per line, or [a, b]); ${options.itemHint}` });
      return undefined;
    }
    if (input.length < minItems) {
      report({ problem: `needs at least ${minItems} item${minItems === 1 ? '' : 's'}`, hint: options.itemHint });
    }
    const values: T[] = [];
    input.forEach((entry: unknown, index) => {
      const parsed = options.item(entry);
      if (parsed.ok) values.push(parsed.value);
      else report({ problem: parsed.problem, hint: options.itemHint, path: [index], input: entry });
    });
    return values;
  });
  return field(schema, [...options.default], { description: options.description });
}

const LABEL_NAME = /^([a-z0-9A-Z]([a-z0-9A-Z_.-]{0,61}[a-z0-9A-Z])?)$/;
const LABEL_PREFIX = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Kubernetes label key rules: optional DNS-subdomain prefix, then a name of at most 63 characters. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !LABEL_PREFIX.test(prefix))) return false;
  return LABEL_NAME.test(name);
}

/** Kubernetes label value rules: empty, or a name of at most 63 characters. */
export function isLabelValue(value: string): boolean {
  return value === '' || LABEL_NAME.test(value);
}

/** A map of Kubernetes labels (`key: value`); numbers and booleans are taken as their text. */
export function labels(options: { default: Readonly<Record<string, string>>; description: string }) {
  const keyHint = 'label keys are [prefix/]name, the name up to 63 letters, digits, "-", "_" or "."';
  const valueHint = 'label values are empty or up to 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric';
  const schema = leaf<Record<string, string>>((input, report) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      report({ problem: 'not a map of labels', hint: 'write one "key: value" per line, indented below' });
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
      const value = raw === null ? '' : typeof raw === 'object' ? undefined : String(raw);
      if (!isLabelKey(key)) report({ problem: 'not a valid label key', hint: keyHint, path: [key], input: key });
      else if (value === undefined || !isLabelValue(value)) {
        report({ problem: 'not a valid label value', hint: valueHint, path: [key], input: raw });
      } else out[key] = value;
    }
    return out;
  });
  return field(schema, { ...options.default }, { description: options.description });
}
