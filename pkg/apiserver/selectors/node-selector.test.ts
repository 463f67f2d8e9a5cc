import { SelectorError } from './errors';
import { compileNodeSelector, requiredNodeAffinity } from './node-selector';

const node = (name: string, labels: Record<string, string>) => ({ metadata: { name, labels } });

describe('compileNodeSelector', () => {
  it('ORs terms and ANDs the requirements inside a term', () => {
    const sel = compileNodeSelector({
      nodeSelectorTerms: [
        {
          matchExpressions: [
            { key: 'zone', operator: 'In', values: ['a', 'b'] },
            { key: 'gpu', operator: 'Exists' },
            { key: 'cores', operator: 'Gt', values: ['4'] },
          ],
        },
        { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['edge-1'] }] },
      ],
    });
    expect(sel.matches(node('n', { zone: 'a', gpu: '', cores: '8' }))).toBe(true);
    expect(sel.matches(node('n', { zone: 'a', gpu: '', cores: '4' }))).toBe(false);
    expect(sel.matches(node('n', { zone: 'c', gpu: '', cores: '8' }))).toBe(false);
    expect(sel.matches(node('edge-1', {}))).toBe(true);
  });

  it('supports NotIn, DoesNotExist, Lt and NotIn on metadata.name', () => {
    const sel = compileNodeSelector({
      nodeSelectorTerms: [
        {
          matchExpressions: [
            { key: 'role', operator: 'NotIn', values: ['master'] },
            { key: 'tainted', operator: 'DoesNotExist' },
            { key: 'load', operator: 'Lt', values: ['10'] },
          ],
          matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['bad'] }],
        },
      ],
    });
    expect(sel.matches(node('good', { load: '3' }))).toBe(true);
    expect(sel.matches(node('bad', { load: '3' }))).toBe(false);
    expect(sel.matches(node('good', { load: '3', tainted: 'y' }))).toBe(false);
    expect(sel.matches(node('good', { load: 'x' }))).toBe(false);
  });

  it('matches no node with no terms or only empty terms', () => {
    expect(compileNodeSelector({ nodeSelectorTerms: [] }).matches(node('n', {}))).toBe(false);
    expect(compileNodeSelector({ nodeSelectorTerms: [{}, { matchExpressions: [] }] }).matches(node('n', {}))).toBe(false);
  });

  it('lists every invalid requirement with its path', () => {
    let message = '';
    try {
      compileNodeSelector({
        nodeSelectorTerms: [
          { matchExpressions: [{ key: 'a', operator: 'Foo', values: ['x'] }] },
          { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] },
          { matchExpressions: [{ key: 'n', operator: 'Gt', values: ['abc'] }] },
        ],
      });
    } catch (e) {
      expect(e).toBeInstanceOf(SelectorError);
      expect((e as SelectorError).code).toBe('INVALID_NODE_SELECTOR');
      message = (e as Error).message;
    }
    expect(message).toBe(
      '[nodeSelectorTerms[0].matchExpressions[0].operator: Unsupported value: "Foo": supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt", ' +
        'nodeSelectorTerms[1].matchFields[0].values: Invalid value: []string{"a", "b"}: must have one element, ' +
        `nodeSelectorTerms[2].matchExpressions[0].values[0]: Invalid value: "abc": for 'Gt', 'Lt' operators, the value must be an integer]`,
    );
  });
});

describe('requiredNodeAffinity', () => {
  it('needs both the nodeSelector map and one affinity term', () => {
    const sel = requiredNodeAffinity({
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: 'node-role.kubernetes.io/edge', operator: 'Exists' }] }],
          },
        },
      },
    });
    expect(sel.matches(node('e1', { 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/edge': '' }))).toBe(true);
    expect(sel.matches(node('e1', { 'node-role.kubernetes.io/edge': '' }))).toBe(false);
    expect(sel.matches(node('c1', { 'kubernetes.io/os': 'linux' }))).toBe(false);
  });

  it('matches every node without constraints, and skips invalid terms instead of throwing', () => {
    expect(requiredNodeAffinity({}).matches(node('n', {}))).toBe(true);
    const sel = requiredNodeAffinity({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'a', operator: 'Bogus' }] },
              { matchExpressions: [{ key: 'b', operator: 'Exists' }] },
            ],
          },
        },
      },
    });
    expect(sel.matches(node('n', { b: '1' }))).toBe(true);
    expect(sel.matches(node('n', { a: '1' }))).toBe(false);
  });
});
