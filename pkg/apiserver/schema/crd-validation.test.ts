import { formatFieldError, toStatusCauses } from './errors';
import { validateCustomResourceDefinition, validateCustomResourceDefinitionUpdate } from './crd-validation';
import { crd, messages, schema, type Json } from './testdata/crontab';

const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

describe('CRD validation: the spec', () => {
  it('accepts a well-formed CRD, defaulting singular and listKind', () => {
    expect(messages(crd((c) => delete c.spec.names.singular))).toEqual([]);
  });

  it('reports an empty object as the real server does, in its order', () => {
    expect(messages({})).toEqual([
      'metadata.name: Required value: name or generateName is required',
      'spec.group: Required value',
      'spec.scope: Required value',
      'spec.versions: Invalid value: null: must have exactly one version marked as storage version',
      'spec.names.plural: Required value',
      'spec.names.singular: Required value',
      'spec.names.kind: Required value',
      'spec.names.listKind: Required value',
      'status.storedVersions: Invalid value: null: must have at least one stored version',
    ]);
  });

  it('wants metadata.name to be <plural>.<group> and the group to have a dot', () => {
    expect(messages(crd((c) => (c.metadata.name = 'crontabs.example')))).toEqual([
      'metadata.name: Invalid value: "crontabs.example": must be spec.names.plural+"."+spec.group',
    ]);
    expect(messages(crd((c) => ((c.spec.group = 'example'), (c.metadata.name = 'crontabs.example'))))).toEqual([
      'spec.group: Invalid value: "example": should be a domain with at least one dot',
    ]);
    expect(messages(crd((c) => ((c.spec.group = 'Stable.Example.com'), (c.metadata.name = 'crontabs.Stable.Example.com'))))).toEqual([
      `metadata.name: Invalid value: "crontabs.Stable.Example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      `spec.group: Invalid value: "Stable.Example.com": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ]);
  });

  it('checks scope and names', () => {
    expect(messages(crd((c) => (c.spec.scope = 'Global')))).toEqual(['spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"']);
    expect(
      messages(
        crd((c) => {
          c.spec.names.singular = 'CronTab';
          c.spec.names.kind = 'Cron_Tab';
          c.spec.names.listKind = 'Cron_Tab';
          c.spec.names.shortNames = ['CT'];
          c.spec.names.categories = ['all', '1x'];
        }),
      ),
    ).toEqual([
      `spec.names.singular: Invalid value: "CronTab": ${DNS1035}`,
      `spec.names.kind: Invalid value: "Cron_Tab": may have mixed case, but should otherwise match: ${DNS1035}`,
      `spec.names.listKind: Invalid value: "Cron_Tab": may have mixed case, but should otherwise match: ${DNS1035}`,
      `spec.names.shortNames[0]: Invalid value: "CT": ${DNS1035}`,
      'spec.names.listKind: Invalid value: "Cron_Tab": kind and listKind may not be the same',
      `spec.names.categories[1]: Invalid value: "1x": ${DNS1035}`,
    ]);
  });

  it('wants exactly one storage version and unique names (the whole versions list is the bad value)', () => {
    const two = crd((c) => c.spec.versions.push({ ...c.spec.versions[0] }));
    const out = messages(two);
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/^spec\.versions: Invalid value: \[\{"name":"v1",.*\}\]: must contain unique version names$/);
    expect(out[1]).toMatch(/: must have exactly one version marked as storage version$/);
    expect(messages(crd((c) => (c.spec.versions[0].storage = false)))[0]).toMatch(/must have exactly one version marked as storage version$/);
  });

  it('does not require a served version (the server does not either)', () => {
    expect(messages(crd((c) => (c.spec.versions[0].served = false)))).toEqual([]);
  });

  it('validates version names twice, as spec.versions[0].name and as the internal spec.version', () => {
    expect(messages(crd((c) => (c.spec.versions[0].name = 'V1')))).toEqual([
      `spec.versions[0].name: Invalid value: "V1": ${DNS1035}`,
      `spec.version: Invalid value: "V1": ${DNS1035}`,
    ]);
  });

  it('requires a schema for every version', () => {
    expect(messages(crd((c) => delete c.spec.versions[0].schema))).toEqual([
      'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required',
    ]);
  });

  it('refuses spec.preserveUnknownFields: true', () => {
    expect(messages(crd((c) => (c.spec.preserveUnknownFields = true)))).toEqual([
      'spec.preserveUnknownFields: Invalid value: true: must be false in order to use defaults in the schema',
      'spec.preserveUnknownFields: Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead',
    ]);
  });

  it('makes the causes of a 422 Status', () => {
    expect(toStatusCauses(validateCustomResourceDefinition(crd((c) => (c.spec.scope = ''))))).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.scope' },
    ]);
  });
});

describe('CRD validation: subresources, printer columns, conversion', () => {
  it('puts shared subresources and columns at the top level, as the internal form does', () => {
    const c = crd((x) => {
      x.spec.versions[0].subresources = { status: {}, scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: '.spec.replicas', labelSelectorPath: '.metadata.x' } };
      x.spec.versions[0].additionalPrinterColumns = [
        { name: 'Spec', type: 'string', jsonPath: '.spec.cronSpec' },
        { type: 'text', format: 'uri', jsonPath: 'spec' },
        { name: 'X' },
      ];
    });
    expect(messages(c)).toEqual([
      'spec.subresources.scale.specReplicasPath: Invalid value: "spec.replicas": must be a simple json path starting with .',
      'spec.subresources.scale.statusReplicasPath: Invalid value: ".spec.replicas": should be a json path under .status',
      'spec.subresources.scale.labelSelectorPath: Invalid value: ".metadata.x": should be a json path under either .spec or .status',
      'spec.additionalPrinterColumns[1].name: Required value',
      'spec.additionalPrinterColumns[1].type: Invalid value: "text": must be one of boolean,date,integer,number,string',
      'spec.additionalPrinterColumns[1].format: Invalid value: "uri": must be one of byte,date,date-time,double,float,int32,int64,password',
      'spec.additionalPrinterColumns[1].JSONPath: Invalid value: "spec": must be a simple json path starting with .',
      'spec.additionalPrinterColumns[2].type: Required value: must be one of boolean,date,integer,number,string',
      'spec.additionalPrinterColumns[2].JSONPath: Required value',
    ]);
  });

  it('keeps per-version paths when versions differ', () => {
    const c = crd((x) => {
      const v2 = structuredClone(x.spec.versions[0]);
      v2.name = 'v2';
      v2.storage = false;
      v2.additionalPrinterColumns = [{ name: 'A', type: 'int', jsonPath: '.a' }];
      v2.schema.openAPIV3Schema.properties.spec.properties.image = {};
      x.spec.versions.push(v2);
    });
    expect(messages(c)).toEqual([
      'spec.versions[1].schema.openAPIV3Schema.properties[spec].properties[image].type: Required value: must not be empty for specified object fields',
      'spec.versions[1].additionalPrinterColumns[0].type: Invalid value: "int": must be one of boolean,date,integer,number,string',
    ]);
  });

  it('checks conversion webhooks in their internal place', () => {
    expect(messages(crd((c) => (c.spec.conversion = { strategy: 'Webhook' })))).toEqual([
      'spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook',
      'spec.conversion.conversionReviewVersions: Required value',
    ]);
    expect(messages(crd((c) => (c.spec.conversion = { strategy: 'None', webhook: { conversionReviewVersions: ['v1'] } })))).toEqual([
      'spec.conversion.conversionReviewVersions: Forbidden: should not be set when strategy is not set to Webhook',
    ]);
    expect(messages(crd((c) => (c.spec.conversion = { strategy: 'Webhook', webhook: { clientConfig: { url: 'https://x' }, conversionReviewVersions: ['v2'] } })))).toEqual([
      'spec.conversion.conversionReviewVersions: Invalid value: ["v2"]: must include at least one of v1, v1beta1',
    ]);
  });

  it('checks deprecation warnings', () => {
    expect(messages(crd((c) => (c.spec.versions[0].deprecationWarning = 'old')))).toEqual([
      'spec.versions[0].deprecationWarning: Invalid value: "old": can only be set for deprecated versions',
    ]);
  });

  it('asks protected groups for the API approval annotation', () => {
    const k8s = (annotations?: Json): Json =>
      crd((c) => {
        c.spec.group = 'widgets.k8s.io';
        c.metadata.name = 'crontabs.widgets.k8s.io';
        if (annotations) c.metadata.annotations = annotations;
      });
    expect(messages(k8s())).toEqual([
      'metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111',
    ]);
    expect(messages(k8s({ 'api-approved.kubernetes.io': 'later' }))).toEqual([
      'metadata.annotations[api-approved.kubernetes.io]: Invalid value: "later": protected groups must have approval annotation "api-approved.kubernetes.io" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111',
    ]);
    expect(messages(k8s({ 'api-approved.kubernetes.io': 'https://github.com/kubernetes/kubernetes/pull/78458' }))).toEqual([]);
    expect(messages(k8s({ 'api-approved.kubernetes.io': 'unapproved, experimental' }))).toEqual([]);
  });
});

describe('CRD validation: updates', () => {
  const established = (c: Json): Json => ({ ...c, status: { storedVersions: ['v1'], conditions: [{ type: 'Established', status: 'True' }] } });

  it('keeps group and plural immutable, and scope and kind once established', () => {
    const old = established(crd());
    const next = crd((c) => {
      c.spec.scope = 'Cluster';
      c.spec.names.kind = 'Cron';
      c.spec.group = 'other.example.com';
      c.metadata.name = 'crontabs.other.example.com';
    });
    expect(validateCustomResourceDefinitionUpdate(next, old).map(formatFieldError)).toEqual([
      'spec.scope: Invalid value: "Cluster": field is immutable',
      'spec.names.kind: Invalid value: "Cron": field is immutable',
      'spec.group: Invalid value: "other.example.com": field is immutable',
    ]);
  });

  it('refuses to drop a version that is still in status.storedVersions', () => {
    const old = established(crd((c) => c.spec.versions.unshift({ name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: schema() } })));
    old.status.storedVersions = ['v1beta1', 'v1'];
    expect(validateCustomResourceDefinitionUpdate(crd(), old).map(formatFieldError)).toEqual([
      'status.storedVersions[0]: Invalid value: "v1beta1": missing from spec.versions; v1beta1 was previously a storage version, and must remain in spec.versions until a storage migration ensures no data remains persisted in v1beta1 and removes v1beta1 from status.storedVersions',
    ]);
  });

  it('accepts an unchanged CRD', () => {
    expect(validateCustomResourceDefinitionUpdate(crd(), established(crd()))).toEqual([]);
  });
});
