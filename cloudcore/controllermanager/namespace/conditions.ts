/** The deletion conditions a terminating namespace shows (namespaceConditionUpdater), with the real reasons and texts. */
import { rfc3339 } from '../../../pkg/timing/kube-time';
import type { Condition } from '../util/types';

const TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

type ConditionType = (typeof TYPES)[number];

const OK: Record<ConditionType, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
};

export interface DeletionReport {
  discoveryFailures: string[];
  deleteErrors: string[];
  /** "pods" or "deployments.apps" -> objects still there. */
  remaining: Map<string, number>;
  /** finalizer -> objects still carrying it. */
  finalizers: Map<string, number>;
}

/** The failing conditions of a report; the others read as their "ok" variant. */
function failures(report: DeletionReport): Partial<Record<ConditionType, { reason: string; message: string }>> {
  const out: Partial<Record<ConditionType, { reason: string; message: string }>> = {};
  const { discoveryFailures: d, deleteErrors: e } = report;
  if (d.length > 0) {
    out.NamespaceDeletionDiscoveryFailure = {
      reason: 'DiscoveryFailed',
      message: `Discovery failed for some groups, ${d.length} failing: unable to retrieve the complete list of server APIs: ${d.join(', ')}`,
    };
  }
  if (e.length > 0) {
    out.NamespaceDeletionContentFailure = { reason: 'ContentDeletionFailed', message: e.length === 1 ? e[0]! : `[${e.join(', ')}]` };
  }
  if (report.remaining.size > 0) {
    const parts = [...report.remaining].map(([resource, n]) => `${resource} has ${n} resource instances`).sort();
    out.NamespaceContentRemaining = { reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${parts.join(', ')}` };
  }
  if (report.finalizers.size > 0) {
    const parts = [...report.finalizers].map(([finalizer, n]) => `${finalizer} in ${n} resource instances`).sort();
    out.NamespaceFinalizersRemaining = { reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${parts.join(', ')}` };
  }
  return out;
}

/** The namespace's conditions after this report; an unchanged condition keeps its lastTransitionTime. */
export function deletionConditions(current: readonly Condition[] | undefined, report: DeletionReport, nowMs: number): Condition[] {
  const failing = failures(report);
  const ours = TYPES.map((type): Condition => {
    const f = failing[type];
    const want = { type, status: f ? ('True' as const) : ('False' as const), ...(f ?? OK[type]) };
    const old = current?.find((c) => c.type === type);
    if (old && old.status === want.status && old.message === want.message) return old;
    return { ...want, lastTransitionTime: rfc3339(nowMs) };
  });
  const others = (current ?? []).filter((c) => !(TYPES as readonly string[]).includes(c.type));
  return [...ours, ...others];
}
