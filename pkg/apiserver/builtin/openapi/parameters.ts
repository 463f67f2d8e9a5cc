/**
 * Query and path parameters of the REST operations, by name, as the real documents declare them. kubectl checks that
 * a PATCH operation lists `fieldValidation` to decide the server validates fields itself (QueryParamVerifierV3).
 */
import type { OpenApiSchema } from '../types';

type ParamType = 'string' | 'integer' | 'boolean';

const query = (name: string, type: ParamType, description: string): OpenApiSchema => ({
  description,
  in: 'query',
  name,
  schema: { type, uniqueItems: true },
});

const path = (name: string, description: string): OpenApiSchema => ({
  description,
  in: 'path',
  name,
  required: true,
  schema: { type: 'string', uniqueItems: true },
});

export const P = {
  allowWatchBookmarks: query('allowWatchBookmarks', 'boolean', 'Ask for BOOKMARK events on a watch.'),
  continue: query('continue', 'string', 'Token from a previous page of a paginated list.'),
  dryRun: query('dryRun', 'string', 'All: run every stage of the request but persist nothing.'),
  fieldManager: query('fieldManager', 'string', 'Name of the actor making the change (at most 128 printable characters).'),
  fieldManagerApply: query('fieldManager', 'string', 'Name of the actor making the change; required for apply patches.'),
  fieldSelector: query('fieldSelector', 'string', 'Restrict the objects by their fields.'),
  fieldValidation: query(
    'fieldValidation',
    'string',
    'How to treat unknown or duplicate fields in the body: Ignore, Warn (answer with warnings) or Strict (refuse the request).',
  ),
  force: query('force', 'boolean', 'For apply patches: take over fields owned by other managers.'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; 0 deletes at once.'),
  ignoreStoreReadErrorWithClusterBreakingPotential: query(
    'ignoreStoreReadErrorWithClusterBreakingPotential',
    'boolean',
    'Delete an object that cannot be read from storage (unsafe).',
  ),
  labelSelector: query('labelSelector', 'string', 'Restrict the objects by their labels.'),
  limit: query('limit', 'integer', 'Maximum number of objects in one page; the rest follow with continue.'),
  orphanDependents: query('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  pretty: query('pretty', 'string', "If 'true', the output is pretty printed."),
  propagationPolicy: query('propagationPolicy', 'string', 'Orphan, Background or Foreground deletion of dependents.'),
  resourceVersion: query('resourceVersion', 'string', 'Which version of the data the request may be served from.'),
  resourceVersionMatch: query('resourceVersionMatch', 'string', 'How resourceVersion applies to a list: Exact or NotOlderThan.'),
  sendInitialEvents: query('sendInitialEvents', 'boolean', 'Start a watch with the current objects as ADDED events.'),
  timeoutSeconds: query('timeoutSeconds', 'integer', 'Time limit of a list or watch.'),
  watch: query('watch', 'boolean', 'Watch for changes instead of listing.'),
  namespace: path('namespace', 'Object name and auth scope, such as for teams and projects.'),
  name: (kind: string): OpenApiSchema => path('name', `Name of the ${kind}.`),
} as const;

/** Parameters of a list (or the path of a list-and-watch endpoint). */
export const LIST_PARAMS = [
  P.allowWatchBookmarks,
  P.continue,
  P.fieldSelector,
  P.labelSelector,
  P.limit,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
  P.watch,
];

export const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
export const PATCH_PARAMS = [P.dryRun, P.fieldManagerApply, P.fieldValidation, P.force];
export const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.ignoreStoreReadErrorWithClusterBreakingPotential, P.orphanDependents, P.propagationPolicy];
export const DELETE_COLLECTION_PARAMS = [
  P.continue,
  P.dryRun,
  P.fieldSelector,
  P.gracePeriodSeconds,
  P.ignoreStoreReadErrorWithClusterBreakingPotential,
  P.labelSelector,
  P.limit,
  P.orphanDependents,
  P.propagationPolicy,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
];
