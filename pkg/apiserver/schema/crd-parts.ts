/** CRD validation of the parts other than schemas: names, subresources, printer columns, conversion, warnings. */
import type { CrdConversion, CrdNames, PrinterColumn, Subresources } from './crd-types';
import { child, forbidden, index, invalid, notSupported, required, type FieldError } from './errors';
import { isDns1035Label } from './names';

const COLUMN_TYPES = 'boolean,date,integer,number,string';
const COLUMN_FORMATS = 'byte,date,date-time,double,float,int32,int64,password';

/** ValidateCustomResourceDefinitionNames (used for spec.names and status.acceptedNames). */
export function validateNames(names: CrdNames, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const label = (field: string, value: string, prefix = ''): void => {
    const problems = isDns1035Label(prefix ? value.toLowerCase() : value);
    if (value && problems.length > 0) errs.push(invalid(child(path, field), value, prefix + problems.join(',')));
  };
  label('plural', names.plural);
  label('singular', names.singular);
  label('kind', names.kind, 'may have mixed case, but should otherwise match: ');
  label('listKind', names.listKind, 'may have mixed case, but should otherwise match: ');
  names.shortNames.forEach((s, i) => {
    const problems = isDns1035Label(s);
    if (problems.length > 0) errs.push(invalid(index(child(path, 'shortNames'), i), s, problems.join(',')));
  });
  if (names.kind && names.kind === names.listKind) errs.push(invalid(child(path, 'listKind'), names.listKind, 'kind and listKind may not be the same'));
  names.categories.forEach((c, i) => {
    const problems = isDns1035Label(c);
    if (problems.length > 0) errs.push(invalid(index(child(path, 'categories'), i), c, problems.join(',')));
  });
  return errs;
}

/** validateSimpleJSONPath: only "starts with a dot" is enforced, as on the server. */
function simpleJsonPath(value: string, path: string): FieldError[] {
  if (value === '') return [invalid(path, value, 'must not be empty')];
  if (!value.startsWith('.')) return [invalid(path, value, 'must be a simple json path starting with .')];
  return [];
}

export function validateSubresources(sub: Subresources | undefined, path: string): FieldError[] {
  const scale = sub?.scale;
  if (!scale) return [];
  const errs: FieldError[] = [];
  const check = (field: string, value: string, prefixes: string[], detail: string): void => {
    const at = child(path, `scale.${field}`);
    if (!value) {
      if (field !== 'labelSelectorPath') errs.push(required(at));
      return;
    }
    const pathErrs = simpleJsonPath(value, at);
    if (pathErrs.length > 0) errs.push(...pathErrs);
    else if (!prefixes.some((p) => value.startsWith(p))) errs.push(invalid(at, value, detail));
  };
  check('specReplicasPath', scale.specReplicasPath, ['.spec.'], 'should be a json path under .spec');
  check('statusReplicasPath', scale.statusReplicasPath, ['.status.'], 'should be a json path under .status');
  check('labelSelectorPath', scale.labelSelectorPath ?? '', ['.spec.', '.status.'], 'should be a json path under either .spec or .status');
  return errs;
}

/** ValidateCustomResourceColumnDefinition; the server names the path field by its Go name, `JSONPath`. */
export function validateColumn(col: PrinterColumn, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!col.name) errs.push(required(child(path, 'name')));
  if (!col.type) errs.push(required(child(path, 'type'), `must be one of ${COLUMN_TYPES}`));
  else if (!COLUMN_TYPES.split(',').includes(col.type)) errs.push(invalid(child(path, 'type'), col.type, `must be one of ${COLUMN_TYPES}`));
  if (col.format && !COLUMN_FORMATS.split(',').includes(col.format)) {
    errs.push(invalid(child(path, 'format'), col.format, `must be one of ${COLUMN_FORMATS}`));
  }
  if (!col.jsonPath) errs.push(required(child(path, 'JSONPath')));
  else errs.push(...simpleJsonPath(col.jsonPath, child(path, 'JSONPath')));
  return errs;
}

export function validateDeprecationWarning(deprecated: boolean, warning: string | undefined, path: string): FieldError[] {
  const at = child(path, 'deprecationWarning');
  if (!deprecated && warning !== undefined) return [invalid(at, warning, 'can only be set for deprecated versions')];
  if (warning === undefined) return [];
  const errs: FieldError[] = [];
  if (Buffer.byteLength(warning) > 256) errs.push(invalid(at, warning, 'must be <= 256 characters long'));
  if (warning.length === 0) errs.push(invalid(at, warning, 'must not be an empty string'));
  let offset = 0;
  for (const ch of warning) {
    if (/\p{Cc}/u.test(ch)) {
      errs.push(invalid(at, warning, `must only contain printable UTF-8 characters; control character found at index ${offset}`));
      break;
    }
    if (!/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) {
      errs.push(invalid(at, warning, `must only contain printable UTF-8 characters; non-printable character found at index ${offset}`));
      break;
    }
    offset += Buffer.byteLength(ch);
  }
  return errs;
}

/**
 * Conversion: the server validates its internal form, where the webhook's client config and review versions sit
 * directly under `conversion`, so that is where errors point (`spec.conversion.webhookClientConfig`).
 */
export function validateConversion(conversion: CrdConversion | undefined, preserveUnknownFields: boolean, path: string): FieldError[] {
  if (!conversion) return [];
  const errs: FieldError[] = [];
  const strategy = conversion.strategy;
  if (strategy !== 'None' && preserveUnknownFields) {
    errs.push(invalid(child(path, 'strategy'), strategy, 'must be None if spec.preserveUnknownFields is true'));
  }
  if (!strategy) errs.push(required(child(path, 'strategy')));
  else if (strategy !== 'None' && strategy !== 'Webhook') errs.push(notSupported(child(path, 'strategy'), strategy, ['None', 'Webhook']));
  const clientConfig = conversion.webhook?.clientConfig;
  const reviewVersions = conversion.webhook?.conversionReviewVersions ?? [];
  if (strategy === 'Webhook') {
    const at = child(path, 'webhookClientConfig');
    if (!clientConfig) errs.push(required(at, 'required when strategy is set to Webhook'));
    else if ((clientConfig.url === undefined) === (clientConfig.service === undefined)) errs.push(required(at, 'exactly one of url or service is required'));
    errs.push(...reviewVersionChecks(reviewVersions, child(path, 'conversionReviewVersions')));
  } else {
    if (clientConfig) errs.push(forbidden(child(path, 'webhookClientConfig'), 'should not be set when strategy is not set to Webhook'));
    if (reviewVersions.length > 0) errs.push(forbidden(child(path, 'conversionReviewVersions'), 'should not be set when strategy is not set to Webhook'));
  }
  return errs;
}

function reviewVersionChecks(versions: string[], path: string): FieldError[] {
  if (versions.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      errs.push(invalid(index(path, i), v, 'duplicate version'));
      return;
    }
    seen.add(v);
    for (const p of isDns1035Label(v)) errs.push(invalid(index(path, i), v, p));
  });
  if (!versions.some((v) => v === 'v1' || v === 'v1beta1')) errs.push(invalid(path, versions, 'must include at least one of v1, v1beta1'));
  return errs;
}
