import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPackageTable, readDescriptorSet, renderSchemaModule } from './schema-build';
import { compileSchema, kubernetesSchema } from './schema';

const repoRoot = join(__dirname, '..', '..', '..');
const generatedPath = join(__dirname, 'schema.generated.ts');

describe('schema.generated.ts', () => {
  it('is what proto/k8s describes (UPDATE_PROTO_SCHEMA=1 rewrites it)', () => {
    const text = renderSchemaModule(buildPackageTable(readDescriptorSet(repoRoot)));
    if (process.env.UPDATE_PROTO_SCHEMA === '1') writeFileSync(generatedPath, text);
    expect(readFileSync(generatedPath, 'utf8')).toBe(text);
  });

  it('compiles: every referenced message exists and no number repeats', () => {
    const schema = kubernetesSchema();
    expect(schema.get('k8s.io.api.core.v1.PodSpec')?.byNumber.get(2)?.name).toBe('containers');
    expect(schema.get('k8s.io.api.apps.v1.DeploymentSpec')?.byNumber.get(1)).toMatchObject({ name: 'replicas', keepZero: true });
    expect(schema.get('k8s.io.api.core.v1.Volume')?.byNumber.get(2)).toMatchObject({ name: 'volumeSource', inline: true });
  });

  it('rejects a table that names a missing message', () => {
    expect(() => compileSchema({ p: { A: [[1, 'b', 'B']] } })).toThrow('p.A.b: unknown message type p.B');
  });
});
