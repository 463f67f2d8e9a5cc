/**
 * Node selection as the scheduler (component-helpers nodeaffinity) does it: a pod's `nodeSelector` map AND its
 * required node affinity, whose terms are ORed. A term ANDs its matchExpressions (labels: In, NotIn, Exists,
 * DoesNotExist, Gt, Lt) and matchFields (only `metadata.name`, In or NotIn with one value); an empty term selects
 * no node.
 */
import { SelectorError, aggregate } from './errors';
import { labelSelectorFromSet, type LabelSelector } from './label-selector';
import { matchesRequirement, requirementErrors, type Operator, type Requirement } from './requirement';
import { goStringSlice, invalidField, unsupportedField } from './validation';

export interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: readonly string[] | null;
}

export interface NodeSelectorTerm {
  matchExpressions?: readonly NodeSelectorRequirement[] | null;
  matchFields?: readonly NodeSelectorRequirement[] | null;
}

/** The node as far as selection goes. */
export interface NodeLike {
  metadata?: { name?: string; labels?: Readonly<Record<string, string>> | null } | null;
}

const LABEL_OPERATORS: Readonly<Record<string, Operator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

interface CompiledTerm {
  labels?: Requirement[];
  fields?: { key: string; operator: 'In' | 'NotIn'; value: string }[];
  errors: string[];
}

function compileTerm(term: NodeSelectorTerm, path: string): CompiledTerm {
  const compiled: CompiledTerm = { errors: [] };
  const expressions = term.matchExpressions ?? [];
  if (expressions.length > 0) {
    compiled.labels = [];
    expressions.forEach((expr, i) => {
      const at = `${path}.matchExpressions[${i}]`;
      const operator = Object.hasOwn(LABEL_OPERATORS, expr.operator) ? LABEL_OPERATORS[expr.operator] : undefined;
      if (operator === undefined) {
        compiled.errors.push(unsupportedField(`${at}.operator`, expr.operator, Object.keys(LABEL_OPERATORS)));
        return;
      }
      const r: Requirement = { key: expr.key, operator, values: [...(expr.values ?? [])] };
      const errs = requirementErrors(r, at);
      if (errs.length > 0) compiled.errors.push(aggregate(errs));
      else compiled.labels?.push(r);
    });
  }
  const fields = term.matchFields ?? [];
  if (fields.length > 0) {
    compiled.fields = [];
    fields.forEach((expr, i) => {
      const at = `${path}.matchFields[${i}]`;
      const values = expr.values ?? [];
      if (expr.operator !== 'In' && expr.operator !== 'NotIn') {
        compiled.errors.push(unsupportedField(`${at}.operator`, expr.operator, ['In', 'NotIn']));
      } else if (values.length !== 1) {
        compiled.errors.push(invalidField(`${at}.values`, goStringSlice(values), 'must have one element'));
      } else {
        compiled.fields?.push({ key: expr.key, operator: expr.operator, value: values[0] });
      }
    });
  }
  return compiled;
}

function termMatches(term: CompiledTerm, node: NodeLike): boolean {
  const labels = node.metadata?.labels ?? undefined;
  if (term.labels !== undefined && !term.labels.every((r) => matchesRequirement(r, labels))) return false;
  const name = node.metadata?.name ?? '';
  // A node's only field is metadata.name; other keys read as ''. A node without a name has no fields, and the
  // scheduler then skips matchFields altogether.
  if (term.fields !== undefined && name !== '') {
    return term.fields.every((f) => {
      const actual = f.key === 'metadata.name' ? name : '';
      return f.operator === 'In' ? actual === f.value : actual !== f.value;
    });
  }
  return true;
}

export interface NodeSelector {
  matches(node: NodeLike): boolean;
}

/**
 * A v1.NodeSelector (`requiredDuringSchedulingIgnoredDuringExecution`). Throws SelectorError
 * (INVALID_NODE_SELECTOR) listing every invalid requirement, with paths like
 * `nodeSelectorTerms[0].matchExpressions[1].operator`.
 */
export function compileNodeSelector(selector: { nodeSelectorTerms?: readonly NodeSelectorTerm[] | null }): NodeSelector {
  const terms: CompiledTerm[] = [];
  (selector.nodeSelectorTerms ?? []).forEach((term, i) => {
    if ((term.matchExpressions ?? []).length === 0 && (term.matchFields ?? []).length === 0) return;
    terms.push(compileTerm(term, `nodeSelectorTerms[${i}]`));
  });
  const errors = terms.flatMap((t) => t.errors);
  if (errors.length > 0) throw new SelectorError('INVALID_NODE_SELECTOR', aggregate(errors));
  return { matches: (node) => terms.some((t) => termMatches(t, node)) };
}

/** The parts of a pod spec that decide which nodes it may run on. */
export interface PodPlacement {
  nodeSelector?: Readonly<Record<string, string>> | null;
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: readonly NodeSelectorTerm[] | null } | null;
    } | null;
  } | null;
}

/**
 * GetRequiredNodeAffinity(pod).Match: the nodeSelector map and the required affinity. Invalid affinity terms never
 * match (the scheduler reports them and moves on); this does not throw.
 */
export function requiredNodeAffinity(spec: PodPlacement): NodeSelector {
  const bySet: LabelSelector | undefined =
    spec.nodeSelector && Object.keys(spec.nodeSelector).length > 0 ? labelSelectorFromSet(spec.nodeSelector) : undefined;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? undefined;
  const terms: CompiledTerm[] = [];
  (required?.nodeSelectorTerms ?? []).forEach((term, i) => {
    if ((term.matchExpressions ?? []).length === 0 && (term.matchFields ?? []).length === 0) return;
    const compiled = compileTerm(term, `nodeSelectorTerms[${i}]`);
    if (compiled.errors.length === 0) terms.push(compiled);
  });
  return {
    matches: (node) => {
      if (bySet !== undefined && !bySet.matches(node.metadata?.labels ?? undefined)) return false;
      return required === undefined ? true : terms.some((t) => termMatches(t, node));
    },
  };
}
