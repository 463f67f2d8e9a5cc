import { deletionConditions } from './conditions';

const now = Date.parse('2024-01-01T00:00:00Z');

describe('namespace deletion conditions', () => {
  it('reports what remains with the real reasons and messages, and keeps unchanged ones', () => {
    const report = {
      discoveryFailures: [],
      deleteErrors: [],
      remaining: new Map([['widgets.example.com', 2], ['configmaps', 1]]),
      finalizers: new Map([['example.com/hold', 3]]),
    };
    const conditions = deletionConditions(undefined, report, now);
    expect(conditions.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
      ['NamespaceContentRemaining', 'True', 'SomeResourcesRemain', 'Some resources are remaining: configmaps has 1 resource instances, widgets.example.com has 2 resource instances'],
      ['NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain', 'Some content in the namespace has finalizers remaining: example.com/hold in 3 resource instances'],
    ]);
    const later = deletionConditions(conditions, report, now + 60_000);
    expect(later).toEqual(conditions);
  });
});
