/** keadm gettoken against the real embedded API server. */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { memoryIO } from '../cli/testing/memory-io';
import { TOKEN_SECRET, TokenKeeper, verifyJoinToken } from '../join';
import { Client, createClient, loadKubeConfig, RESOURCES } from '../kube';
import { TestControlPlane, testLogger } from '../kube/testing/control-plane';
import { createCA } from '../pki';
import { main } from './cli';

const log = testLogger();
const plane = new TestControlPlane(log);
let kubeconfigPath: string;
let client: Client;

beforeAll(async () => {
  kubeconfigPath = (await plane.start()).kubeconfigPath;
  client = createClient(loadKubeConfig({ kubeconfigPath, qps: 100, burst: 100 }));
});
afterAll(() => plane.dispose());

describe('keadm gettoken', () => {
  it('says cloudcore has not made a token yet when Secret kubeedge/tokensecret is missing', async () => {
    const io = memoryIO();
    expect(await main(['gettoken', '--kube-config', kubeconfigPath], io)).toBe(1);
    expect(io.err()).toBe('keadm gettoken: Secret kubeedge/tokensecret not found: is cloudcore running? it creates the token on start\n');
    expect(io.out()).toBe('');
  });

  it("prints the token cloudcore's TokenKeeper keeps, and nothing else", async () => {
    const ca = await createCA('KubeEdge');
    const kept = await new TokenKeeper({ client, ca, refreshMs: 3_600_000, log }).refresh();
    for (const flag of ['--kube-config', '--kubeconfig']) {
      const io = memoryIO();
      expect(await main(['gettoken', flag, kubeconfigPath], io)).toBe(0);
      expect(io.out()).toBe(`${kept.token}\n`);
      expect(io.err()).toBe('');
      expect(verifyJoinToken(ca, io.out()).expiresAt).toEqual(kept.expiresAt);
    }
    // And as the real keadm process, which is what operators pipe into keadm join.
    const keadm = await promisify(execFile)(process.execPath, ['-r', join(__dirname, '../cli/testing/register-ts.js'), join(__dirname, 'main.ts'), 'gettoken', '--kube-config', kubeconfigPath]);
    expect(keadm.stdout).toBe(`${kept.token}\n`);
  });

  it('names the kubeconfig when it cannot be used, and a Secret without the token', async () => {
    const missing = memoryIO();
    expect(await main(['gettoken', '--kube-config', join(plane.dataDir, 'nope.kubeconfig')], missing)).toBe(1);
    expect(missing.err()).toBe(
      `keadm gettoken: kubeconfig ${join(plane.dataDir, 'nope.kubeconfig')} does not exist; pass --kube-config (with the embedded API server: /var/lib/kubeedge/cloudcore/admin.kubeconfig)\n`,
    );
    const garbage = join(plane.dataDir, 'garbage.kubeconfig');
    writeFileSync(garbage, 'this: [is not a kubeconfig');
    const bad = memoryIO();
    expect(await main(['gettoken', '--kube-config', garbage], bad)).toBe(1);
    expect(bad.err()).toContain(`kubeconfig ${garbage} is not valid`);

    const secrets = client.resource(RESOURCES.secrets);
    const secret = await secrets.get(TOKEN_SECRET.name, { namespace: 'kubeedge' });
    await secrets.update({ ...secret, data: {} } as typeof secret);
    const empty = memoryIO();
    expect(await main(['gettoken', '--kube-config', kubeconfigPath], empty)).toBe(1);
    expect(empty.err()).toBe('keadm gettoken: Secret kubeedge/tokensecret has no data.tokendata; restart cloudcore to write a new token\n');
  });
});
