import { z } from 'zod';
import { field, type FieldMeta } from './field';
import { compiledName, type Compiled } from './units';

type Shape = Record<string, z.ZodType>;

/** The compiled form of a section whose fields are `S`. */
export type SectionOutput<S extends Shape> = Compiled<{ [K in keyof S]: z.output<S[K]> }>;

/**
 * A group of fields (a YAML mapping). Unknown keys are errors, so a typo is never silently ignored;
 * a missing or empty section takes every field's default. The compiled object carries units in its
 * names (see units.ts).
 */
export function section<S extends Shape>(description: string, shape: S) {
  const renames = new Map<string, string>();
  for (const [name, schema] of Object.entries(shape)) {
    renames.set(name, compiledName(name, (schema.meta() as FieldMeta | undefined)?.unit));
  }
  const object = z
    .strictObject(shape)
    .transform((value) => Object.fromEntries(Object.entries(value).map(([k, v]) => [renames.get(k) ?? k, v])) as SectionOutput<S>);
  return field(object, {} as z.input<typeof object>, { description });
}
