import type { z } from 'zod';
import { field, parsedLeaf } from './field';
import { bad, ok } from './parse-result';
import { section } from './section';

/** One config file format: its identity and the schema of the whole document. */
export interface ConfigSpec<S extends z.ZodType = z.ZodType> {
  readonly apiVersion: string;
  readonly kind: string;
  /** The whole document, apiVersion and kind included; the single source of truth. */
  readonly schema: S;
}

/** The compiled, fully defaulted config a spec describes. */
export type ConfigOf<Spec extends ConfigSpec> = z.output<Spec['schema']>;

function identityField(name: 'apiVersion' | 'kind', expected: string) {
  const schema = parsedLeaf<string>(`write ${name}: ${expected}`, (input) =>
    input === expected ? ok(expected) : bad(`must be ${expected}`),
  );
  return field(schema, expected, { description: `Format of this file; always ${expected}.` });
}

/** Declares a config format; `fields` are the top-level sections after apiVersion and kind. */
export function defineConfig<S extends Record<string, z.ZodType>>(options: {
  apiVersion: string;
  kind: string;
  description: string;
  fields: S;
}) {
  const schema = section(options.description, {
    apiVersion: identityField('apiVersion', options.apiVersion),
    kind: identityField('kind', options.kind),
    ...options.fields,
  });
  return { apiVersion: options.apiVersion, kind: options.kind, schema } satisfies ConfigSpec;
}

/** The config used when there is no file: every default. */
export function defaultConfig<S extends z.ZodType>(spec: ConfigSpec<S>): z.output<S> {
  return spec.schema.parse({ apiVersion: spec.apiVersion, kind: spec.kind });
}
