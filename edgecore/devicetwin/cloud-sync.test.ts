/**
 * What reaches the cloud: the newest value of each changed twin, however many reports came in while the cloud was away
 * or edgehub was slow (several devices in one batch message, a lone device as KubeEdge's own messages); resent after a
 * reconnect; never more waiting than one entry per twin.
 */
import { join } from 'node:path';
import { Operation } from '../../pkg/message';
import { eventually, settle, startTwinEdge, T0, tempDir, type TwinEdge } from './testing/edge';
import { thermometer, thermometerModel } from './testing/objects';

const topic = (device: string) => `$hw/events/device/default/${device}/twin/update`;
type TwinUpdated = { twin: Record<string, { actual?: { value: string }; actual_version?: { edge: number } }> };
type Batch = { reports: { namespace: string; name: string; twin?: TwinUpdated; state?: unknown }[] };

describe('devicetwin cloud sync', () => {
  let dir: ReturnType<typeof tempDir>;
  let edge: TwinEdge;

  async function start(hubDelayMs = 0): Promise<void> {
    edge = await startTwinEdge({ dataSource: join(dir.dir, 'edgecore.db'), dmiDir: dir.dir, hubDelayMs });
    await edge.cloud('insert', thermometerModel());
    await edge.cloud('insert', thermometer());
    await edge.cloud('insert', thermometer({ name: 'thermo-2' }));
  }

  beforeEach(() => {
    dir = tempDir();
  });

  afterEach(async () => {
    await edge.stop();
    dir.cleanup();
  });

  it('keeps only the newest value per twin while the cloud is away, and sends the dirty devices in one batch on connect', async () => {
    await start();
    for (let i = 1; i <= 50; i++) {
      await edge.mqtt(topic('thermo-1'), { twin: { temperature: { actual: { value: String(i) } } } });
      await edge.mqtt(topic('thermo-2'), { twin: { temperature: { actual: { value: String(100 + i) } } } });
    }
    await edge.mqtt('$hw/events/device/default/thermo-2/state/update', { state: 'unhealthy' });
    await eventually(() => edge.published(`${topic('thermo-2')}/result`).length === 50);
    await settle();
    expect(edge.hub).toEqual([]);
    expect(await edge.counter('devicetwin_unsynced_devices')).toBe(2);
    await edge.connect('cloud_connected');
    await eventually(() => edge.hub.length === 1);
    await settle();
    expect(edge.hub.map((m) => [m.route?.resource, m.route?.group, m.route?.operation])).toEqual([['device/batch/report', 'twin', Operation.OPERATION_UPDATE]]);
    const { reports } = edge.toCloud('device/batch/report')[0] as Batch;
    expect(reports.map((report) => [report.namespace, report.name, Object.keys(report).sort()])).toEqual([
      ['default', 'thermo-1', ['name', 'namespace', 'twin']],
      ['default', 'thermo-2', ['name', 'namespace', 'state', 'twin']],
    ]);
    expect(reports[0]!.twin!.twin.temperature).toMatchObject({ actual: { value: '50' }, actual_version: { cloud: 0, edge: 50 } });
    expect(reports[1]!.twin!.twin.temperature).toMatchObject({ actual: { value: '150' }, actual_version: { cloud: 0, edge: 50 } });
    expect(reports[1]!.state).toEqual({ event_id: expect.any(String), timestamp: T0, device: { name: 'thermo-2', state: 'unhealthy', lastOnlineTime: '' } });
    expect(await edge.counter('devicetwin_unsynced_devices')).toBe(0);
    expect(await edge.counter('devicetwin_cloud_messages_total', { kind: 'twin' })).toBe(2);
  });

  it('coalesces reports while edgehub is slow, and ends on the newest value', async () => {
    await start(40);
    await edge.connect('cloud_connected');
    for (let i = 1; i <= 200; i++) await edge.mqtt(topic('thermo-1'), { twin: { temperature: { actual: { value: String(i) } } } });
    await eventually(() => {
      const sent = edge.toCloud('device/default/thermo-1/twin/edge_updated') as TwinUpdated[];
      return sent.at(-1)?.twin.temperature?.actual?.value === '200';
    }, 5000);
    const sent = edge.toCloud('device/default/thermo-1/twin/edge_updated');
    expect(sent.length).toBeLessThan(50);
    await settle(100);
    expect(edge.toCloud('device/default/thermo-1/twin/edge_updated')).toHaveLength(sent.length);
  });

  it('sends again what it handed edgehub just before the link dropped', async () => {
    await start();
    await edge.connect('cloud_connected');
    await edge.mqtt(topic('thermo-1'), { twin: { temperature: { actual: { value: '7' } } } });
    await eventually(() => edge.hub.length === 1);
    await edge.connect('cloud_disconnected');
    await edge.mqtt(topic('thermo-2'), { twin: { temperature: { actual: { value: '8' } } } });
    await eventually(() => edge.published(`${topic('thermo-2')}/result`).length === 1);
    await settle();
    expect(edge.hub).toHaveLength(1);
    await edge.connect('cloud_connected');
    await eventually(() => edge.hub.length === 2);
    expect(edge.hub.map((m) => m.route?.resource)).toEqual(['device/default/thermo-1/twin/edge_updated', 'device/batch/report']);
    const { reports } = edge.toCloud('device/batch/report')[0] as Batch;
    expect(reports.map((report) => [report.name, report.twin?.twin.temperature?.actual?.value]).sort()).toEqual([
      ['thermo-1', '7'],
      ['thermo-2', '8'],
    ]);
  });
});
