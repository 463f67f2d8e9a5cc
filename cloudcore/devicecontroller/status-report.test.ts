/** The pure rules that merge a burst of reports and apply them to the twins list. */
import { applyTwins, emptyReport, mergeReport, type StatusReport, type TwinChange } from './status-report';

const report = (twins: [string, TwinChange][], state?: string): StatusReport => ({ twins: new Map(twins), ...(state ? { state } : {}) });
const set = (reported?: string, observedDesired?: string): TwinChange => ({
  kind: 'set',
  reset: false,
  ...(reported ? { reported: { value: reported } } : {}),
  ...(observedDesired ? { observedDesired: { value: observedDesired } } : {}),
});

test('newer values win field by field; nothing else is lost', () => {
  const into = emptyReport();
  mergeReport(into, report([['a', set('1', '10')], ['b', set('2')]], 'online'));
  mergeReport(into, report([['a', set('3')]]));
  mergeReport(into, report([['c', set(undefined, '9')]], 'offline'));
  expect([...into.twins]).toEqual([
    ['a', { kind: 'set', reset: false, reported: { value: '3' }, observedDesired: { value: '10' } }],
    ['b', set('2')],
    ['c', set(undefined, '9')],
  ]);
  expect(into.state).toBe('offline');
});

test('a delete wins over earlier values, and a value after a delete starts the twin afresh', () => {
  const into = emptyReport();
  mergeReport(into, report([['a', set('1', '10')]]));
  mergeReport(into, report([['a', { kind: 'delete' }]]));
  expect(into.twins.get('a')).toEqual({ kind: 'delete' });
  mergeReport(into, report([['a', set('2')]]));
  expect(into.twins.get('a')).toEqual({ kind: 'set', reset: true, reported: { value: '2' } });
  // Applied to a list holding the old twin: the old observed desired value is gone with the delete.
  expect(applyTwins([{ propertyName: 'a', reported: { value: '1' }, observedDesired: { value: '10' } }], into.twins)).toEqual([
    { propertyName: 'a', reported: { value: '2' } },
  ]);
});

test('applying keeps the order of the list, updates in place, appends new twins, removes deleted ones', () => {
  const base = [
    { propertyName: 'a', reported: { value: '1' } },
    { propertyName: 'b', reported: { value: '2' }, observedDesired: { value: '5' } },
    { propertyName: 'c', reported: { value: '3' } },
  ];
  const twins = applyTwins(base, new Map<string, TwinChange>([['d', set('4')], ['b', set('20')], ['a', { kind: 'delete' }], ['zz', { kind: 'delete' }]]));
  expect(twins).toEqual([
    { propertyName: 'b', reported: { value: '20' }, observedDesired: { value: '5' } },
    { propertyName: 'c', reported: { value: '3' } },
    { propertyName: 'd', reported: { value: '4' } },
  ]);
  expect(base[1]).toEqual({ propertyName: 'b', reported: { value: '2' }, observedDesired: { value: '5' } }); // not modified
});
