/** Packs a kind's component and its list's into the `TypeSchema` a BuiltinType carries. */
import type { TypeSchema } from '../types';
import { closure, type Component } from './dsl';

export function typeSchema(kind: Component, listKind: Component): TypeSchema {
  return { name: kind.name, listName: listKind.name, schema: kind.schema, components: closure([kind, listKind]) };
}
