/** The CronTab CRD of the Kubernetes documentation, as a builder for tests. */
import { validateCustomResourceDefinition } from '../crd-validation';
import { formatFieldError } from '../errors';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const schema = (): Json => ({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
        image: { type: 'string' },
        replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
      },
    },
    status: { type: 'object', properties: { replicas: { type: 'integer' } } },
  },
});

export function crd(edit: (c: Json) => void = () => undefined): Json {
  const c: Json = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'crontabs.stable.example.com' },
    spec: {
      group: 'stable.example.com',
      scope: 'Namespaced',
      names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema() } }],
    },
  };
  edit(c);
  return c;
}

export const messages = (c: unknown): string[] => validateCustomResourceDefinition(c).map(formatFieldError);
export const root = (c: Json): Json => c.spec.versions[0].schema.openAPIV3Schema;
