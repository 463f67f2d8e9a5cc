/**
 * Label selectors, compiled once and matched many times: from the `?labelSelector=` string, from the structured
 * metav1.LabelSelector of Deployments, ReplicaSets, DaemonSets, Jobs..., and from a plain map (Service
 * `spec.selector`, pod `nodeSelector`).
 */
import { SelectorError, aggregate } from './errors';
import { parseRequirements } from './label-parser';
import {
  matchesRequirement,
  requirementErrors,
  requirementString,
  type Labels,
  type Operator,
  type Requirement,
} from './requirement';
import { goQuote } from './validation';

export interface LabelSelector {
  readonly requirements: readonly Requirement[];
  /** True when it selects everything (no requirements). */
  readonly empty: boolean;
  matches(labels: Labels): boolean;
  /** The canonical string form, as the server prints it: `app=web,tier in (a,b)`. */
  toString(): string;
}

class RequirementSelector implements LabelSelector {
  readonly empty: boolean;

  constructor(readonly requirements: readonly Requirement[]) {
    this.empty = requirements.length === 0;
  }

  matches(labels: Labels): boolean {
    return this.requirements.every((r) => matchesRequirement(r, labels));
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

/** Selects every object. */
export const EVERYTHING: LabelSelector = new RequirementSelector([]);

/** Selects no object: what a nil structured selector means. */
export const NOTHING: LabelSelector = {
  requirements: [],
  empty: false,
  matches: () => false,
  toString: () => '',
};

const byKey = (a: Requirement, b: Requirement): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * A `?labelSelector=` value. `''` selects everything. Throws SelectorError (INVALID_LABEL_SELECTOR) with the
 * server's message, e.g. `unable to parse requirement: found 'b' expected: '('`.
 */
export function parseLabelSelector(selector: string): LabelSelector {
  return new RequirementSelector(parseRequirements(selector));
}

/** metav1.LabelSelectorRequirement / the structured selector found in workload specs. */
export interface StructuredLabelSelector {
  matchLabels?: Readonly<Record<string, string>> | null;
  matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] | null }[] | null;
}

const STRUCTURED_OPERATORS: Readonly<Record<string, Operator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

/**
 * LabelSelectorAsSelector: `null`/`undefined` selects nothing, `{}` everything. Throws SelectorError
 * (INVALID_LABEL_SELECTOR) for an unknown operator or an invalid key or value.
 */
export function labelSelectorFromStructured(selector: StructuredLabelSelector | null | undefined): LabelSelector {
  if (selector === null || selector === undefined) return NOTHING;
  const labels = selector.matchLabels ?? {};
  const expressions = selector.matchExpressions ?? [];
  if (Object.keys(labels).length + expressions.length === 0) return EVERYTHING;
  const requirements: Requirement[] = [];
  for (const key of Object.keys(labels).sort()) requirements.push(checked({ key, operator: '=', values: [labels[key]] }));
  for (const expr of expressions) {
    const operator = Object.hasOwn(STRUCTURED_OPERATORS, expr.operator) ? STRUCTURED_OPERATORS[expr.operator] : undefined;
    if (operator === undefined) {
      throw new SelectorError('INVALID_LABEL_SELECTOR', `${goQuote(expr.operator)} is not a valid label selector operator`);
    }
    requirements.push(checked({ key: expr.key, operator, values: [...(expr.values ?? [])] }));
  }
  return new RequirementSelector(requirements.sort(byKey));
}

function checked(r: Requirement): Requirement {
  const errs = requirementErrors(r, '');
  if (errs.length > 0) throw new SelectorError('INVALID_LABEL_SELECTOR', aggregate(errs));
  return r;
}

/**
 * SelectorFromSet: every pair must match exactly. Not validated, as on the server; an empty or missing map
 * selects everything (a Service without a selector is the caller's special case, not this one).
 */
export function labelSelectorFromSet(set: Readonly<Record<string, string>> | null | undefined): LabelSelector {
  const keys = Object.keys(set ?? {}).sort();
  if (keys.length === 0) return EVERYTHING;
  return new RequirementSelector(keys.map((key) => ({ key, operator: '=', values: [(set as Record<string, string>)[key]] })));
}
