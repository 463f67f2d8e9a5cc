/**
 * Serving CustomResourceDefinitions: a level-triggered loop over the stored CRDs that registers each served version as
 * a resource (discovery, OpenAPI and REST follow at once), marks the CRD NamesAccepted and Established, and when a CRD
 * is deleted stops serving it and deletes its objects.
 */
import type { Logger } from 'pino';
import { rfc3339 } from './handlers/object-meta';
import type { TypeRegistry } from './registry';
import { compileCustomResourceVersion, type CustomResourceVersion } from './schema';
import type { FieldCause, ServedType } from './served-type';
import { isStorageError, type KubeObject, type Store } from './storage';

const CRD_PREFIX = '/apiextensions.k8s.io/customresourcedefinitions/';
const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface CrdSpec {
  group: string;
  scope: 'Namespaced' | 'Cluster';
  names: { plural: string; singular?: string; kind: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions: { name: string; served: boolean; storage: boolean }[];
}

export interface CrdController {
  /** Resolves once every stored CRD is being served. */
  readonly synced: Promise<void>;
  stop(): Promise<void>;
}

export function startCrdController(options: { store: Store; registry: TypeRegistry; log: Logger; now?: () => Date }): CrdController {
  const { store, registry, log } = options;
  const now = options.now ?? (() => new Date());
  const serving = new Map<string, { group: string; plural: string; versions: string[] }>();
  const stop = new AbortController();

  const apply = async (crd: KubeObject): Promise<void> => {
    const name = String(crd.metadata.name);
    const spec = crd.spec as CrdSpec;
    const before = serving.get(name);
    const served = spec.versions.filter((v) => v.served).map((v) => v.name);
    for (const version of before?.versions ?? []) {
      if (!served.includes(version) || before?.plural !== spec.names.plural) registry.remove(before!.group, version, before!.plural);
    }
    for (const version of served) {
      try {
        registry.add(customType(crd, version, now));
      } catch (error) {
        log.error({ err: error, crd: name, version }, 'cannot serve this CRD version');
      }
    }
    serving.set(name, { group: spec.group, plural: spec.names.plural, versions: served });
    await markEstablished(store, crd, now).catch((error: unknown) => log.warn({ err: error, crd: name }, 'cannot update CRD status'));
  };

  const removeCrd = async (crd: KubeObject): Promise<void> => {
    const name = String(crd.metadata.name);
    const before = serving.get(name);
    if (!before) return;
    for (const version of before.versions) registry.remove(before.group, version, before.plural);
    serving.delete(name);
    // The real server's customresourcecleanup finalizer: a CRD's objects do not outlive it.
    for (const stored of store.list(`/${before.group}/${before.plural}/`).items) {
      await store.delete(stored.key).catch((error: unknown) => {
        if (!(isStorageError(error) && error.code === 'NOT_FOUND')) throw error;
      });
    }
    log.info({ crd: name }, 'stopped serving a deleted CRD and removed its objects');
  };

  const initial = store.list(CRD_PREFIX);
  const watcher = store.watch(CRD_PREFIX, { fromRevision: initial.revision, signal: stop.signal });
  const synced = (async () => {
    for (const stored of initial.items) await apply(stored.object);
  })();
  const loop = (async () => {
    await synced;
    try {
      for await (const batch of watcher) {
        for (const event of batch) {
          if (event.type === 'DELETED') await removeCrd(event.object.object);
          else await apply(event.object.object);
        }
      }
    } catch (error) {
      if (!stop.signal.aborted) log.error({ err: error }, 'CRD watch ended; CRD changes are no longer served until restart');
    }
  })();
  return {
    synced,
    async stop() {
      stop.abort();
      watcher.stop();
      await loop;
    },
  };
}

/** A CRD version as a served resource type. */
export function customType(crd: KubeObject, version: string, now: () => Date): ServedType {
  const spec = crd.spec as CrdSpec;
  const compiled = compileCustomResourceVersion(crd, version, { now: () => now().getTime() });
  const subresources = [...(compiled.statusSubresource ? ['status'] : []), ...(compiled.scale ? ['scale'] : [])];
  return {
    group: spec.group,
    version,
    kind: compiled.kind,
    listKind: compiled.listKind,
    plural: compiled.plural,
    singular: compiled.singular,
    namespaced: compiled.namespaced,
    shortNames: spec.names.shortNames ?? [],
    categories: spec.names.categories ?? [],
    verbs: ALL_VERBS,
    subresources,
    dropUnknownFields: (object) => {
      const pruned = compiled.prune(object);
      replaceContents(object, pruned.value as KubeObject);
      return [...pruned.prunedPaths];
    },
    defaults: (object) => replaceContents(object, compiled.applyDefaults(object) as KubeObject),
    prepareForCreate: (object) => {
      object.metadata.generation = 1;
      if (compiled.statusSubresource) delete object.status;
    },
    prepareForUpdate: (next, old) => {
      if (compiled.statusSubresource) {
        if (old.status === undefined) delete next.status;
        else next.status = structuredClone(old.status);
      }
      const specOf = ({ metadata: _m, status: _s, ...rest }: KubeObject): string => JSON.stringify(rest);
      const generation = Number(old.metadata.generation ?? 1);
      next.metadata.generation = specOf(next) === specOf(old) ? generation : generation + 1;
    },
    validate: (object, old) => (old ? compiled.validateUpdate(object, old) : compiled.validate(object)).map(toCause),
    table: {
      columns: compiled.tableColumns.map((c) => c.definition) as ServedType['table']['columns'],
      cells: (object) => compiled.tableColumns.map((c) => c.cell(object as Record<string, unknown>)),
    },
    ...(compiled.scale ? { scale: scaleOf(compiled) } : {}),
  };
}

function scaleOf(compiled: CustomResourceVersion): NonNullable<ServedType['scale']> {
  const s = compiled.scale!;
  return {
    specReplicasPath: s.specReplicasPath,
    statusReplicasPath: s.statusReplicasPath,
    ...(s.labelSelectorPath ? { labelSelectorPath: s.labelSelectorPath } : {}),
  };
}

const toCause = (e: { type: string; field: string; message: string }): FieldCause => ({
  type: e.type,
  field: e.field,
  message: e.message,
});

/** ServedType.defaults works in place; the schema library returns new values. */
function replaceContents(target: KubeObject, source: KubeObject): void {
  for (const key of Object.keys(target)) delete target[key];
  Object.assign(target, source);
}

/** Sets the conditions and accepted names the real server reports once a CRD is served. */
async function markEstablished(store: Store, crd: KubeObject, now: () => Date): Promise<void> {
  const status = crd.status as { conditions?: { type: string; status: string }[] } | undefined;
  const established = status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
  const names = (crd.spec as CrdSpec).names;
  const accepted = (crd.status as { acceptedNames?: unknown } | undefined)?.acceptedNames;
  if (established && JSON.stringify(accepted) === JSON.stringify(names)) return;
  const key = `${CRD_PREFIX}${String(crd.metadata.name)}`;
  const at = rfc3339(now());
  await store.guaranteedUpdate(key, (current) => {
    const spec = current.spec as CrdSpec;
    const condition = (type: string, reason: string, message: string) => ({ type, status: 'True', lastTransitionTime: at, reason, message });
    current.status = {
      ...(current.status as object | undefined),
      conditions: [
        condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
        condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
      ],
      acceptedNames: spec.names,
      storedVersions: [spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]!.name],
    };
    return current;
  });
}
