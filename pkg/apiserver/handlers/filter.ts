/** ?labelSelector= and ?fieldSelector= compiled once per request into one predicate over objects. */
import { parseFieldSelector, parseLabelSelector, selectableFieldsFor, SelectorError } from '../selectors';
import type { ServedType } from '../served-type';
import { badRequest } from '../status';
import type { KubeObject } from '../storage';

export type ObjectFilter = (object: KubeObject) => boolean;

export function compileSelectors(type: ServedType, query: URLSearchParams): ObjectFilter | undefined {
  const labelText = (query.get('labelSelector') ?? '').trim();
  const fieldText = (query.get('fieldSelector') ?? '').trim();
  if (labelText === '' && fieldText === '') return undefined;
  const selectable = selectableFieldsFor({ group: type.group, kind: type.kind });
  try {
    const labels = labelText === '' ? undefined : parseLabelSelector(labelText);
    const fields = fieldText === '' ? undefined : parseFieldSelector(fieldText, selectable);
    return (object) =>
      (!labels || labels.matches(object.metadata.labels ?? {})) && (!fields || fields.matches(selectable.fields(object)));
  } catch (error) {
    if (error instanceof SelectorError) throw badRequest(error.message);
    throw error;
  }
}
