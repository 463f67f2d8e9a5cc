/**
 * proto/k8s against the wire schema compiled into real kubectl binaries (see testing/upstream-descriptors.ts): every
 * field a client sends must be declared with its upstream number and type, and +pointer must mark exactly the Go
 * pointer scalars. Skipped when no kubectl is installed.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { markersByField, readDescriptorSet } from './schema-build';
import { kubernetesSchema } from './schema';
import { findKubectls } from './testing/kubectl-capture';
import { readUpstreamMessages } from './testing/upstream-descriptors';
import { PROTOBUF_SCHEMA_VERSION } from '.';

const kubectls = findKubectls();
const describeUpstream = kubectls.length > 0 ? describe : describe.skip;

describeUpstream('proto/k8s matches the Kubernetes wire schema', () => {
  const markers = markersByField(readDescriptorSet(join(__dirname, '..', '..', '..')));

  it.each(kubectls)('%s', (kubectl) => {
    const version = JSON.parse(execFileSync(kubectl, ['version', '--client', '-o', 'json'], { env: { PATH: process.env.PATH ?? '' } }).toString()) as {
      clientVersion: { major: string; minor: string };
    };
    const minor = `${version.clientVersion.major}.${version.clientVersion.minor.replace(/\D+$/, '')}`;
    const upstream = readUpstreamMessages(kubectl);
    const problems: string[] = [];
    for (const [name, message] of kubernetesSchema()) {
      const fields = upstream.get(name);
      if (!fields) {
        // Older clients lack newer messages (NodeSwapStatus is 1.33); the schema's own version must have them all.
        if (minor === PROTOBUF_SCHEMA_VERSION) problems.push(`${name}: not in kubectl ${minor}`);
        continue;
      }
      for (const want of fields) {
        const have = message.byNumber.get(want.number);
        const at = `${name}.${want.name} (${want.number})`;
        if (!have) {
          problems.push(`${at}: missing`);
        } else if (have.name !== want.name || have.type !== want.type || have.repeated !== want.repeated || have.map !== want.map) {
          problems.push(`${at}: declared as ${have.name} ${have.type}${have.repeated ? '[]' : ''}${have.map ? ' (map)' : ''}, upstream ${want.type}`);
        } else if (have.scalar && !have.repeated && !have.map && !SPECIAL.has(name)) {
          const marked = markers.get(`${name}.${have.name}`)?.includes('+pointer') ?? false;
          if (marked !== want.pointer) problems.push(`${at}: +pointer ${marked ? 'set' : 'missing'}, but the Go field is ${want.pointer ? '' : 'not '}a pointer`);
        }
      }
      // The schema's own Kubernetes version declares nothing beyond upstream.
      if (minor === PROTOBUF_SCHEMA_VERSION) {
        for (const field of message.fields) {
          if (!fields.some((f) => f.number === field.number)) problems.push(`${name}.${field.name} (${field.number}): not upstream`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

/** Messages whose JSON form is special (special-types.ts); their fields carry no markers. */
const SPECIAL = new Set(
  ['apis.meta.v1.Time', 'apis.meta.v1.MicroTime', 'apis.meta.v1.Duration', 'apis.meta.v1.FieldsV1', 'api.resource.Quantity', 'util.intstr.IntOrString', 'runtime.RawExtension', 'runtime.Unknown', 'runtime.TypeMeta'].map(
    (name) => `k8s.io.apimachinery.pkg.${name}`,
  ),
);
