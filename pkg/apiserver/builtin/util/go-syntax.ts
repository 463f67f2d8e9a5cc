/**
 * Go's `%#v` of the few typed values that 1.32 validation messages print, byte for byte:
 *   spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable
 * (`field.Error` falls back to `%#v` for structs and maps; servers from 1.33 print JSON instead.)
 */
import { goQuote } from '../../schema/go-format';
import { isObject, list, str } from './json';

/** `map[string]string{"a":"1", "b":"2"}`, keys sorted as fmt does; `map[string]string(nil)` when absent. */
export function goStringMap(value: unknown): string {
  if (!isObject(value)) return 'map[string]string(nil)';
  const entries = Object.keys(value)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(str(value[k]))}`);
  return `map[string]string{${entries.join(', ')}}`;
}

/** `[]string{"a", "b"}`, or `[]string(nil)`. */
export function goStringSlice(value: unknown): string {
  if (!Array.isArray(value)) return '[]string(nil)';
  return `[]string{${value.map((v) => goQuote(str(v))).join(', ')}}`;
}

function goRequirement(r: unknown): string {
  const o = isObject(r) ? r : {};
  return `v1.LabelSelectorRequirement{Key:${goQuote(str(o.key))}, Operator:${goQuote(str(o.operator))}, Values:${goStringSlice(o.values)}}`;
}

/** A `metav1.LabelSelector` value (the pointer is dereferenced by `field.Error` before printing). */
export function goLabelSelector(value: unknown): string {
  if (!isObject(value)) return 'null';
  const expressions = Array.isArray(value.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${list(value.matchExpressions).map(goRequirement).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${goStringMap(value.matchLabels)}, MatchExpressions:${expressions}}`;
}

/** An `intstr.IntOrString` value: `intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}`. */
export function goIntOrString(value: unknown): string {
  if (typeof value === 'string') return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(value)}}`;
  const n = typeof value === 'number' ? Math.trunc(value) : 0;
  return `intstr.IntOrString{Type:0, IntVal:${n}, StrVal:""}`;
}
