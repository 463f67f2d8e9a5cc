import { SchemaError } from './errors';
import { findJsonPath, parseJsonPath } from './jsonpath';
import { ageColumn, buildTable, crdTableColumns, humanDuration, nameColumn, parseRfc3339, typedCell, type TableColumn } from './table';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'default', creationTimestamp: '2024-05-01T11:59:10Z', labels: { 'app.kubernetes.io/name': 'web' } },
  spec: { replicas: 3, ratio: 0.25, paused: false, containers: [{ name: 'a', image: 'nginx:1.27' }, { name: 'b', image: 'redis:7' }], selector: { app: 'web' } },
  status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'Synced', status: 'False' }] },
};
const NOW = Date.parse('2024-05-01T12:00:00Z');
const find = (expr: string): unknown[] => findJsonPath(parseJsonPath(expr), pod);

describe('JSONPath', () => {
  it('evaluates the forms printer columns and kubectl use', () => {
    expect(find('.spec.replicas')).toEqual([3]);
    expect(find('{.spec.replicas}')).toEqual([3]);
    expect(find('spec.replicas')).toEqual([3]);
    expect(find('.status.conditions[?(@.type=="Ready")].status')).toEqual(['True']);
    expect(find(".status.conditions[?(@.status!='True')].type")).toEqual(['Synced']);
    expect(find('.metadata.creationTimestamp')).toEqual(['2024-05-01T11:59:10Z']);
    expect(find('.spec.containers[*].image')).toEqual(['nginx:1.27', 'redis:7']);
    expect(find('.spec.containers[-1].name')).toEqual(['b']);
    expect(find('.spec.containers[0:1].name')).toEqual(['a']);
    expect(find(".metadata.labels['app.kubernetes.io/name']")).toEqual(['web']);
    expect(find('.metadata.labels.app\\.kubernetes\\.io/name')).toEqual(['web']);
    expect(find('..image')).toEqual(['nginx:1.27', 'redis:7']);
    expect(find('$.spec.missing.deeper')).toEqual([]);
    expect(find('.spec.containers[5].name')).toEqual([]);
  });

  it('refuses what it cannot parse with a named error', () => {
    expect(() => parseJsonPath('.spec[')).toThrow(SchemaError);
    expect(() => parseJsonPath('{.a} and {.b}')).toThrow(/only one \{\} action is supported/);
  });
});

describe('Tables', () => {
  const cols = crdTableColumns(
    [
      { name: 'Replicas', type: 'integer', format: '', description: '', priority: 0, jsonPath: '.spec.replicas' },
      { name: 'Ratio', type: 'number', format: 'float', description: 'the ratio', priority: 1, jsonPath: '.spec.ratio' },
      { name: 'Ready', type: 'string', format: '', description: '', priority: 0, jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
      { name: 'Images', type: 'string', format: '', description: '', priority: 0, jsonPath: '.spec.containers[*].image' },
      { name: 'Selector', type: 'string', format: '', description: '', priority: 0, jsonPath: '.spec.selector' },
      { name: 'Paused', type: 'boolean', format: '', description: '', priority: 0, jsonPath: '.spec.paused' },
      { name: 'Missing', type: 'integer', format: '', description: '', priority: 0, jsonPath: '.spec.nothing' },
      { name: 'Created', type: 'date', format: '', description: '', priority: 0, jsonPath: '.metadata.creationTimestamp' },
    ],
    () => NOW,
  );

  it('types the cells as the CRD table convertor does (first match only, strings printed as Go prints them)', () => {
    const table = buildTable([pod], cols);
    expect(table.rows[0].cells).toEqual(['web-1', 3, 0.25, 'True', 'nginx:1.27', '{"app":"web"}', false, null, '50s']);
    expect(table.columnDefinitions?.[1]).toEqual({
      name: 'Replicas',
      type: 'integer',
      format: '',
      description: expect.stringContaining('.spec.replicas'),
      priority: 0,
    });
    expect(table.columnDefinitions?.[2].description).toBe('the ratio');
  });

  it('adds Age only when the CRD has no printer columns', () => {
    const table = buildTable([pod], crdTableColumns([], () => NOW));
    expect(table.columnDefinitions?.map((c) => c.name)).toEqual(['Name', 'Age']);
    expect(table.columnDefinitions?.map((c) => c.description)).toEqual([expect.any(String), expect.any(String)]);
    expect(table.columnDefinitions?.[1].description).not.toBe('');
    expect(table.rows[0].cells).toEqual(['web-1', '50s']);
  });

  it('stops at the first column whose JSONPath does not parse', () => {
    const broken = crdTableColumns(
      [
        { name: 'A', type: 'integer', format: '', description: '', priority: 0, jsonPath: '.spec.replicas' },
        { name: 'B', type: 'integer', format: '', description: '', priority: 0, jsonPath: '.spec[' },
        { name: 'C', type: 'integer', format: '', description: '', priority: 0, jsonPath: '.spec.replicas' },
      ],
      () => NOW,
    );
    expect(broken.map((c) => c.definition.name)).toEqual(['Name', 'A']);
  });

  it('sets the row object by includeObject, and the list metadata', () => {
    const columns: TableColumn[] = [nameColumn(), ageColumn(() => NOW)];
    expect(buildTable([pod], columns, { includeObject: 'None' }).rows[0].object).toBeNull();
    expect(buildTable([pod], columns, { includeObject: 'Object' }).rows[0].object).toBe(pod);
    const table = buildTable([], columns, { resourceVersion: '7', continue: 'abc', remainingItemCount: 2, noHeaders: true });
    expect(table).toEqual({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '7', continue: 'abc', remainingItemCount: 2 }, columnDefinitions: null, rows: [] });
  });

  it('formats ages as apimachinery HumanDuration', () => {
    const s = 1000;
    const cases: [number, string][] = [
      [-3 * s, '<invalid>'], [-500, '0s'], [0, '0s'], [119 * s, '119s'], [125 * s, '2m5s'], [600 * s, '10m'],
      [179 * 60 * s, '179m'], [3 * 3600 * s, '3h'], [(7 * 60 + 59) * 60 * s, '7h59m'], [47 * 3600 * s, '47h'],
      [(2 * 24 + 5) * 3600 * s, '2d5h'], [8 * 24 * 3600 * s, '8d'], [800 * 24 * 3600 * s, '2y70d'], [3000 * 24 * 3600 * s, '8y'],
    ];
    for (const [ms, text] of cases) expect([ms, humanDuration(ms)]).toEqual([ms, text]);
  });

  it('parses RFC 3339 like Go and marks bad dates', () => {
    expect(parseRfc3339('2024-05-01T12:00:00Z')).toBe(NOW);
    expect(parseRfc3339('2024-05-01T14:00:00.5+02:00')).toBe(NOW + 500);
    expect(parseRfc3339('2024-02-30T00:00:00Z')).toBeUndefined();
    expect(typedCell('date', 'yesterday', NOW)).toBe('<invalid>');
    expect(typedCell('date', '', NOW)).toBe('<unknown>');
    expect(typedCell('string', null, NOW)).toBe('<no value>');
    expect(typedCell('string', 1e6 + 0.5, NOW)).toBe('1.0000005e+06');
    expect(typedCell('integer', 2.9, NOW)).toBe(2);
  });
});
