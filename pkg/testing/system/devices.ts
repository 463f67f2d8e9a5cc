/**
 * Helpers for the devices system test (devices.test.ts): the manifests it applies with kubectl, the mappers' configs,
 * a watch that timestamps every DeviceStatus change the API server shows (so latencies are measured where a user
 * would see them, not at the next poll), and an MQTT app that speaks KubeEdge's twin topics.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { stringify } from 'yaml';
import { DEVICE_RESOURCES, deviceTopic, type Device, type DeviceModel, type DeviceStatusObject, type DeviceTopicSuffix, type Twin } from '../../devices';
import type { DeviceTwinResult } from '../../devices/twin-json';
import { requirePymodbus } from '../../../mappers/modbus/testing/pymodbus';
import { preparePythonMapper } from '../../../mappers/python/testing/python-env';
import { kubeClient, sleep } from './cluster';

export const DEVICE_NAMESPACE = 'default';

/**
 * pymodbus (Modbus server), Debian's python3-grpcio/protobuf and the Python mapper's stubs: a missing part fails the
 * test naming the script (and `make device-test-deps`, which runs them all).
 */
export async function requireDeviceTestDeps(): Promise<void> {
  const hint = '(`make device-test-deps` runs every device install script)';
  try {
    requirePymodbus();
    await preparePythonMapper();
  } catch (error) {
    throw new Error(`${(error as Error).message} ${hint}`, { cause: error });
  }
}

// ---- manifests --------------------------------------------------------------------------------------------------

/** The Node edged would register: labelled as an edge node, which is what deviceController sends devices to. */
export function edgeNodeManifest(node: string): object {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: node, labels: { 'node-role.kubernetes.io/edge': '', 'kubernetes.io/hostname': node } } };
}

const cycles = (ms: number) => ({ collectCycle: ms, reportCycle: ms, reportToCloud: true });

/**
 * A Modbus TCP thermometer (mappers/modbus/examples/thermometer.yaml, with short cycles): temperature in tenths in
 * holding register 0, a writable setpoint (10..30) in holding register 1.
 */
export function modbusThermometer(name: string, node: string, port: number, cycleMs: number): [DeviceModel, Device] {
  const model: DeviceModel = {
    apiVersion: 'devices.kubeedge.io/v1beta1',
    kind: 'DeviceModel',
    metadata: { name: 'modbus-thermometer', namespace: DEVICE_NAMESPACE },
    spec: {
      protocol: 'modbus',
      properties: [
        { name: 'temperature', type: 'FLOAT', accessMode: 'ReadOnly', unit: 'Cel' },
        { name: 'setpoint', type: 'INT', accessMode: 'ReadWrite', minimum: '10', maximum: '30', unit: 'Cel' },
      ],
    },
  };
  const device: Device = {
    apiVersion: 'devices.kubeedge.io/v1beta1',
    kind: 'Device',
    metadata: { name, namespace: DEVICE_NAMESPACE },
    spec: {
      deviceModelRef: { name: 'modbus-thermometer' },
      nodeName: node,
      protocol: { protocolName: 'modbus', configData: { ip: '127.0.0.1', port, slaveID: 1, timeout: 1000 } },
      properties: [
        {
          name: 'temperature',
          ...cycles(cycleMs),
          visitors: { protocolName: 'modbus', configData: { register: 'HoldingRegister', offset: 0, limit: 1, scale: 0.1 } },
        },
        {
          name: 'setpoint',
          ...cycles(cycleMs),
          desired: { value: '21' },
          visitors: { protocolName: 'modbus', configData: { register: 'HoldingRegister', offset: 1, limit: 1 } },
        },
      ],
    },
  };
  return [model, device];
}

/**
 * A device no mapper serves (its protocol is `protocol`): apps at the edge report its twins themselves over MQTT,
 * as KubeEdge's devices did before DMI.
 */
export function appDevice(name: string, node: string, protocol: string): [DeviceModel, Device] {
  const modelName = `${name}-model`;
  return [
    {
      apiVersion: 'devices.kubeedge.io/v1beta1',
      kind: 'DeviceModel',
      metadata: { name: modelName, namespace: DEVICE_NAMESPACE },
      spec: { protocol, properties: [{ name: 'door', type: 'STRING', accessMode: 'ReadWrite' }, { name: 'opened', type: 'INT', accessMode: 'ReadOnly' }] },
    },
    {
      apiVersion: 'devices.kubeedge.io/v1beta1',
      kind: 'Device',
      metadata: { name, namespace: DEVICE_NAMESPACE },
      spec: {
        deviceModelRef: { name: modelName },
        nodeName: node,
        protocol: { protocolName: protocol, configData: { address: 'building-7' } },
        properties: [
          { name: 'door', reportToCloud: true, visitors: { protocolName: protocol, configData: { channel: 1 } } },
          { name: 'opened', reportToCloud: true, visitors: { protocolName: protocol, configData: { channel: 2 } } },
        ],
      },
    },
  ];
}

/** A device of the Python mapper (protocol python-sim): a constant temperature and a setpoint it takes as desired. */
export function pythonThermometer(name: string, node: string, temperature: number, setpoint: string): [DeviceModel, Device] {
  return [
    {
      apiVersion: 'devices.kubeedge.io/v1beta1',
      kind: 'DeviceModel',
      metadata: { name: 'py-thermometer', namespace: DEVICE_NAMESPACE },
      spec: {
        protocol: 'python-sim',
        properties: [
          { name: 'temperature', type: 'FLOAT', accessMode: 'ReadOnly', unit: 'Cel' },
          { name: 'setpoint', type: 'FLOAT', accessMode: 'ReadWrite', minimum: '5', maximum: '30', unit: 'Cel' },
        ],
      },
    },
    {
      apiVersion: 'devices.kubeedge.io/v1beta1',
      kind: 'Device',
      metadata: { name, namespace: DEVICE_NAMESPACE },
      spec: {
        deviceModelRef: { name: 'py-thermometer' },
        nodeName: node,
        protocol: { protocolName: 'python-sim', configData: { serial: 'T-1001' } },
        properties: [
          { name: 'temperature', ...cycles(300), visitors: { protocolName: 'python-sim', configData: { signal: 'constant', value: temperature } } },
          { name: 'setpoint', ...cycles(300), desired: { value: setpoint }, visitors: { protocolName: 'python-sim', configData: { signal: 'setpoint' } } },
        ],
      },
    },
  ];
}

/** Several objects as one multi-document YAML for `kubectl apply -f -`. */
export function yamlDocuments(...objects: object[]): string {
  return objects.map((object) => stringify(object)).join('---\n');
}

// ---- mapper configs ---------------------------------------------------------------------------------------------

/** The Modbus mapper's config.yaml (mappers/README.md layout): its socket in `dir`, edgecore's DMI socket, REST on a free port. */
export async function writeModbusMapperConfig(dir: string, dmiSockDir: string): Promise<string> {
  const path = join(dir, 'modbus-mapper.yaml');
  const config = {
    grpc_server: { socket_path: join(dir, 'modbus.sock') },
    common: { name: 'modbus-mapper', version: 'v1.0.0', api_version: 'v1.0.0', protocol: 'modbus', address: '127.0.0.1', edgecore_sock: join(dmiSockDir, 'dmi.sock'), http_port: 0 },
  };
  await writeFile(path, stringify(config));
  return path;
}

/** The Python mapper's JSON config (mappers/python/README.md). */
export function pythonMapperConfig(dir: string, dmiSockDir: string): { common: Record<string, unknown>; grpc_server: Record<string, unknown> } {
  return {
    common: { name: 'python-sim-mapper', protocol: 'python-sim', edgecore_sock: join(dmiSockDir, 'dmi.sock'), register_retry_ms: 200 },
    grpc_server: { socket_path: join(dir, 'python-sim.sock') },
  };
}

/**
 * Checks every `everyMs` until `check` holds and returns Date.now() at that moment (waitFor in cluster.ts polls every
 * 100 ms, too coarse to measure with).
 */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, everyMs: number, what: string): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
  return Date.now();
}

// ---- DeviceStatus as the API server shows it ---------------------------------------------------------------------

export interface StatusSeen {
  /** Date.now() when the watch event arrived. */
  at: number;
  status: DeviceStatusObject;
}

/** The twin of `property` in a DeviceStatus. */
export function twinOf(status: DeviceStatusObject | undefined, property: string): Twin | undefined {
  return status?.status?.twins?.find((twin) => twin.propertyName === property);
}

export const reported = (status: DeviceStatusObject | undefined, property: string): string | undefined => twinOf(status, property)?.reported?.value;

/**
 * Every version of every DeviceStatus in a namespace, as a watch delivers it, stamped on arrival. Re-watches from
 * the last version seen if the server ends the watch.
 */
export class StatusWatch {
  readonly seen: StatusSeen[] = [];
  private readonly abort = new AbortController();
  private lastVersion = '';
  private running: Promise<void> = Promise.resolve();

  private constructor(
    private readonly kubeconfig: string,
    private readonly namespace: string,
  ) {}

  static async start(kubeconfig: string, namespace = DEVICE_NAMESPACE): Promise<StatusWatch> {
    const watch = new StatusWatch(kubeconfig, namespace);
    const list = await kubeClient(kubeconfig).resource<DeviceStatusObject>(DEVICE_RESOURCES.deviceStatuses).list({ namespace });
    const now = Date.now();
    for (const status of list.items) watch.seen.push({ at: now, status });
    watch.lastVersion = list.metadata?.resourceVersion ?? '';
    watch.running = watch.loop();
    return watch;
  }

  /** Index to pass as `from`, so that only versions seen after now count. */
  mark(): number {
    return this.seen.length;
  }

  /** The newest version of DeviceStatus `name` seen so far. */
  latest(name: string): DeviceStatusObject | undefined {
    for (let i = this.seen.length - 1; i >= 0; i--) if (this.seen[i]!.status.metadata?.name === name) return this.seen[i]!.status;
    return undefined;
  }

  /** The first version of `name` (from index `from` on) for which `check` holds, waiting up to `timeoutMs`. */
  async waitFor(name: string, check: (status: DeviceStatusObject) => boolean, timeoutMs: number, what: string, from = 0): Promise<StatusSeen> {
    const deadline = Date.now() + timeoutMs;
    for (let i = from; ; ) {
      for (; i < this.seen.length; i++) {
        const entry = this.seen[i]!;
        if (entry.status.metadata?.name === name && check(entry.status)) return entry;
      }
      if (Date.now() > deadline) {
        throw new Error(`DeviceStatus ${this.namespace}/${name}: ${what} not seen within ${timeoutMs} ms; newest: ${JSON.stringify(this.latest(name)?.status ?? null)}`);
      }
      await sleep(10);
    }
  }

  async close(): Promise<void> {
    this.abort.abort(new Error('status watch closed'));
    await this.running;
  }

  private async loop(): Promise<void> {
    const resource = kubeClient(this.kubeconfig).resource<DeviceStatusObject>(DEVICE_RESOURCES.deviceStatuses);
    while (!this.abort.signal.aborted) {
      try {
        await resource.watch({ namespace: this.namespace, resourceVersion: this.lastVersion, timeoutSeconds: 600, signal: this.abort.signal }, (event) => {
          if (event.type === 'BOOKMARK') return;
          this.lastVersion = event.object.metadata?.resourceVersion ?? this.lastVersion;
          this.seen.push({ at: Date.now(), status: event.object });
        });
      } catch {
        if (this.abort.signal.aborted) return;
        await sleep(200);
      }
    }
  }
}

// ---- an MQTT app at the edge --------------------------------------------------------------------------------------

/** A result on a `/result` topic (twin or state), with the topic it came on. */
export type TwinAnswer = DeviceTwinResult & { topic: string };

/**
 * An app on the edge host: mqtt.js against edgecore's broker. `ask` publishes on a device topic and resolves with the
 * answer on its `/result` topic that carries the same event_id.
 */
export class MqttApp {
  private readonly answers: TwinAnswer[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      try {
        this.answers.push({ ...(JSON.parse(payload.toString('utf8')) as DeviceTwinResult), topic });
      } catch {
        this.answers.push({ event_id: '', timestamp: 0, reason: `not JSON: ${payload.toString('utf8')}`, topic });
      }
    });
  }

  static async connect(url: string, clientId: string): Promise<MqttApp> {
    const client = await mqtt.connectAsync(url, { clientId, reconnectPeriod: 200, connectTimeout: 5000 });
    return new MqttApp(client);
  }

  /**
   * Publishes `payload` (an object is sent as JSON, a string as is) on `$hw/events/device/<ns>/<name>/<suffix>` and
   * waits for the answer on `<topic>/result` whose event_id is `eventId`.
   */
  async ask(name: string, suffix: DeviceTopicSuffix, payload: object | string, eventId: string, timeoutMs = 5000): Promise<TwinAnswer> {
    const topic = deviceTopic(DEVICE_NAMESPACE, name, suffix);
    const resultTopic = `${topic}/result`;
    await this.client.subscribeAsync(resultTopic, { qos: 1 });
    const from = this.answers.length;
    await this.client.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), { qos: 1 });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = this.answers.slice(from).find((a) => a.topic === resultTopic && a.event_id === eventId);
      if (answer) return answer;
      if (Date.now() > deadline) throw new Error(`no answer with event_id "${eventId}" on ${resultTopic} within ${timeoutMs} ms; got ${JSON.stringify(this.answers.slice(from))}`);
      await sleep(10);
    }
  }

  /** A KubeEdge twin update an app sends: actual values, typed, without versions. */
  static twinUpdate(eventId: string, actual: Record<string, string>, type = 'string'): object {
    const twin = Object.fromEntries(Object.entries(actual).map(([name, value]) => [name, { actual: { value }, metadata: { type } }]));
    return { event_id: eventId, timestamp: Date.now(), twin };
  }

  /** The actual value of `twin` in a twin/get answer. */
  static actual(answer: TwinAnswer, twin: string): string | null | undefined {
    return answer.twin?.[twin]?.actual?.value;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
