import type { z } from 'zod';
import { field, leaf } from './field';
import { section } from './section';

/** Where one module stands. Flipping `implemented` is all it takes to let users enable it. */
export interface ModuleStatus {
  readonly implemented: boolean;
  /** The issue that brings (or brought) the module. */
  readonly issue: number;
  /** KubeEdge's default for `enable`; ours once the module is implemented. */
  readonly enabledInKubeEdge: boolean;
}

/** Every module a program knows, by its config name (`cloudHub`, `edgeHub`, ...). */
export type ModuleCatalogue<Name extends string = string> = Readonly<Record<Name, ModuleStatus>>;

/** The `enable` flag: defaults to KubeEdge's choice once implemented, and cannot be set before. */
export function enableField(name: string, status: ModuleStatus) {
  const kubeEdge = `KubeEdge's default: ${status.enabledInKubeEdge ? 'true' : 'false'}.`;
  const description = status.implemented
    ? `Run the ${name} module. ${kubeEdge}`
    : `Run the ${name} module. Not implemented yet (issue #${status.issue}), so it must stay false. ${kubeEdge}`;
  const schema = leaf<boolean>((input, report) => {
    if (typeof input !== 'boolean') report({ problem: 'not true or false', hint: 'write true or false' });
    else if (input && !status.implemented) {
      report({
        problem: `the ${name} module is not implemented yet (tracked in issue #${status.issue})`,
        hint: 'set enable: false',
        showInput: false,
      });
    } else return input;
    return undefined;
  });
  return field(schema, status.implemented && status.enabledInKubeEdge, { description });
}

/** A module's section: its `enable` flag first, then its own settings. */
export function moduleSection<S extends Record<string, z.ZodType>>(
  name: string,
  status: ModuleStatus,
  description: string,
  shape: S,
) {
  return section(description, { enable: enableField(name, status), ...shape });
}

/** moduleSection bound to a catalogue, so a module's name and its catalogue entry cannot disagree. */
export function moduleSections<Name extends string>(catalogue: ModuleCatalogue<Name>) {
  return <S extends Record<string, z.ZodType>>(name: Name, description: string, shape: S) =>
    moduleSection(name, catalogue[name], description, shape);
}

/**
 * The modules to start: enabled in the `modules` section and implemented, in catalogue order.
 * Validation already refuses enabled but unimplemented modules; checking again keeps this safe on its
 * own. Catalogue entries configured elsewhere (edgecore's metaServer lives inside metaManager) are
 * part of their parent, not separate modules.
 */
export function enabledModules<Name extends string>(
  modules: { readonly [K in Name]?: { readonly enable: boolean } },
  catalogue: ModuleCatalogue<Name>,
): Name[] {
  return (Object.keys(catalogue) as Name[]).filter((name) => catalogue[name].implemented && modules[name]?.enable === true);
}
