import type { z } from 'zod';
import { inspect } from './introspect';
import { formatPath } from './issues';
import type { ConfigSpec } from './spec';

/** One documented setting, for generated references such as the README's. */
export interface FieldReference {
  /** Dotted path as written in the file, e.g. `modules.edgeHub.heartbeat`. */
  readonly path: string;
  /** True for sections (mappings of further fields). */
  readonly section: boolean;
  /** The default as written in the file; undefined for sections. */
  readonly default: unknown;
  readonly description: string | undefined;
}

/** Every section and field of a config format, depth first, in file order. */
export function configReference(spec: ConfigSpec): FieldReference[] {
  const out: FieldReference[] = [];
  const walk = (schema: z.ZodType, path: string[]) => {
    const info = inspect(schema);
    if (path.length > 0) {
      const isSection = info.shape !== undefined;
      out.push({
        path: formatPath(path),
        section: isSection,
        default: isSection ? undefined : info.defaultInput,
        description: info.meta?.description,
      });
    }
    for (const [key, child] of Object.entries(info.shape ?? {})) walk(child, [...path, key]);
  };
  walk(spec.schema, []);
  return out;
}
