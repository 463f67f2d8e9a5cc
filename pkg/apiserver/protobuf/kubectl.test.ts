/**
 * What a real kubectl sends. The fixtures hold bodies captured from kubectl 1.32.4 with the JSON the same kubectl
 * prints for the object (`--dry-run=client -o json`, Go's encoding of it); the live test repeats the capture with every
 * kubectl it finds (skipped when there is none). UPDATE_KUBECTL_FIXTURES=1 rewrites the fixtures from the first kubectl.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeKubernetesProtobuf, isProtobufContentType } from '.';
import { CAPTURE_COMMANDS, findKubectls, runKubectl, startCaptureServer } from './testing/kubectl-capture';
import { KUBECTL_CAPTURES } from './testing/kubectl-fixtures';

describe('bodies captured from kubectl 1.32', () => {
  it.each(KUBECTL_CAPTURES.map((capture) => [capture.name, capture] as const))('%s decodes to the JSON kubectl writes', (_name, capture) => {
    const decoded = decodeKubernetesProtobuf(Buffer.from(capture.body, 'base64'), { apiVersion: capture.apiVersion, kind: capture.kind });
    expect(decoded).toEqual(capture.json);
    // Go's key order too, so that the stored object reads like one a real server stored.
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(capture.json));
  });

  it('covers every capture command', () => {
    expect(KUBECTL_CAPTURES.map((capture) => capture.name)).toEqual(CAPTURE_COMMANDS.map((command) => command.name));
  });
});

const kubectls = findKubectls();
const describeLive = kubectls.length > 0 ? describe : describe.skip;

describeLive('live kubectl', () => {
  // kubectl 1.31 still sends JSON; from 1.32 on typed clients send protobuf.
  it.each(kubectls)('%s: every typed create sends a body that decodes to its JSON', async (kubectl) => {
    const server = await startCaptureServer();
    const fixtures = [];
    try {
      const version = JSON.parse(await runKubectl(kubectl, server.kubeconfig, ['version', '--client', '-o', 'json'])) as {
        clientVersion: { gitVersion: string };
      };
      for (const command of CAPTURE_COMMANDS) {
        await runKubectl(kubectl, server.kubeconfig, command.args);
        const post = server.requests.filter((request) => request.method === 'POST').at(-1)!;
        const protobuf = isProtobufContentType(post.contentType);
        if (!protobuf) expect(post.contentType).toBe('application/json');
        const dashDash = command.args.indexOf('--');
        const dryRunArgs = [...command.args.slice(0, dashDash < 0 ? undefined : dashDash), '--dry-run=client', '-o', 'json'];
        if (dashDash >= 0) dryRunArgs.push(...command.args.slice(dashDash));
        const json = JSON.parse(await runKubectl(kubectl, server.kubeconfig, dryRunArgs)) as Record<string, unknown>;
        const decoded = protobuf
          ? decodeKubernetesProtobuf(post.body, { apiVersion: command.apiVersion, kind: command.kind })
          : (JSON.parse(post.body.toString('utf8')) as unknown);
        expect(JSON.stringify(decoded)).toBe(JSON.stringify(json));
        if (!protobuf) continue;
        fixtures.push({ name: command.name, args: command.args, apiVersion: command.apiVersion, kind: command.kind, body: post.body.toString('base64'), json });
      }
      if (process.env.UPDATE_KUBECTL_FIXTURES === '1' && kubectl === kubectls[0]) {
        expect(fixtures).toHaveLength(CAPTURE_COMMANDS.length);
        writeFixtures(version.clientVersion.gitVersion, fixtures);
      }
    } finally {
      await server.close();
    }
  });
});

function writeFixtures(version: string, fixtures: unknown[]): void {
  const text = [
    `// Request bodies captured from kubectl ${version} (pkg/apiserver/protobuf/kubectl.test.ts, UPDATE_KUBECTL_FIXTURES=1),`,
    '// each with the JSON the same kubectl prints for the object (`--dry-run=client -o json`).',
    'export interface KubectlCapture {',
    '  name: string;',
    '  args: string[];',
    '  apiVersion: string;',
    '  kind: string;',
    '  /** The request body, base64. */',
    '  body: string;',
    '  json: Record<string, unknown>;',
    '}',
    '',
    `export const KUBECTL_CAPTURES: KubectlCapture[] = ${JSON.stringify(fixtures, null, 2)};`,
    '',
  ].join('\n');
  writeFileSync(join(__dirname, 'testing', 'kubectl-fixtures.ts'), text);
}
