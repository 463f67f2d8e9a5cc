/**
 * Pins field numbers and types by their encoded bytes, so a renumbered or retyped field in proto/ fails here.
 * DMI must match KubeEdge v1beta1 and CRI must match Kubernetes runtime.v1 (their mappers and runtimes are the peers).
 * A tag byte is (field number << 3) | wire type; wire type 0 is varint, 2 is length-delimited.
 */
import { Any } from '../../gen/google/protobuf/any';
import {
  CustomizedValue,
  DeviceManagerServiceService,
  DeviceMapperServiceService,
  DeviceProperty,
  MapperInfo,
  MapperRegisterRequest,
  PushMethod,
  ReportDeviceStatesRequest,
} from '../../gen/kubeedge/dmi/v1beta1/api';
import { Header, Message, Operation, Route } from '../../gen/kubeedge/message/v1/message';
import { CloudHubServiceService, TunnelRequest } from '../../gen/kubeedge/tunnel/v1/tunnel';
import {
  ContainerConfig,
  ContainerStatus,
  ImageServiceService,
  LinuxContainerSecurityContext,
  PodSandboxConfig,
  RuntimeServiceService,
  VersionRequest,
} from '../../gen/runtime/v1/api';

interface Codec<T> {
  encode(value: T): { finish(): Uint8Array };
  fromPartial(value: never): T;
}
/** Hex of `value` (a partial message) encoded as `type`. */
const wire = <T>(type: Codec<T>, value: object): string =>
  Buffer.from(type.encode(type.fromPartial(value as never)).finish()).toString('hex');
const ascii = (s: string): string => Buffer.from(s).toString('hex');

describe('DMI v1beta1 wire compatibility', () => {
  it('keeps MapperInfo.address as bytes in field 5', () => {
    expect(wire(MapperInfo, { address: Buffer.from('/x') })).toBe('2a02' + ascii('/x'));
    expect(wire(MapperInfo, { apiVersion: 'v1' })).toBe('1a02' + ascii('v1'));
  });

  it('keeps the register and report request fields', () => {
    expect(wire(MapperRegisterRequest, { withData: true })).toBe('0801');
    expect(wire(MapperRegisterRequest, { mapper: { name: 'm' } })).toBe('1203' + '0a01' + ascii('m'));
    expect(wire(ReportDeviceStatesRequest, { state: 'ok' })).toBe('1a02' + ascii('ok'));
  });

  it("keeps PushMethod's out-of-order numbers: dbMethod 3, otel 4, anomalyDetection 5", () => {
    expect(wire(PushMethod, { dbMethod: {} })).toBe('1a00');
    expect(wire(PushMethod, { otel: {} })).toBe('2200');
    expect(wire(PushMethod, { anomalyDetection: {} })).toBe('2a00');
  });

  it('carries millisecond cycles as varints (plain numbers in TypeScript)', () => {
    const p = DeviceProperty.fromPartial({ reportCycle: 1000, collectCycle: 500 });
    expect(wire(DeviceProperty, p)).toBe('20e807' + '28f403');
    expect(DeviceProperty.decode(DeviceProperty.encode(p).finish()).collectCycle).toBe(500);
  });

  it('carries CustomizedValue.data as map<string, Any>', () => {
    const value = Any.fromPartial({ typeUrl: 't', value: Buffer.from([1]) });
    // data = 1 (map entry: key = 1, value = 2 (Any: type_url = 1, value = 2))
    const entry = '0a01' + ascii('k') + '1206' + '0a01' + ascii('t') + '120101';
    expect(wire(CustomizedValue, { data: { k: value } })).toBe('0a0b' + entry);
  });

  it('serves the upstream gRPC paths', () => {
    expect(DeviceManagerServiceService.mapperRegister.path).toBe('/v1beta1.DeviceManagerService/MapperRegister');
    expect(DeviceManagerServiceService.reportDeviceStates.path).toBe(
      '/v1beta1.DeviceManagerService/ReportDeviceStates',
    );
    expect(DeviceMapperServiceService.getDevice.path).toBe('/v1beta1.DeviceMapperService/GetDevice');
  });
});

describe('CRI runtime.v1 wire compatibility', () => {
  it('encodes VersionRequest{version: "v1"} as 0a 02 76 31', () => {
    expect(wire(VersionRequest, { version: 'v1' })).toBe('0a027631');
  });

  it('keeps ContainerConfig.image in field 2 and linux in field 15', () => {
    expect(wire(ContainerConfig, { image: { image: 'busybox' } })).toBe('1209' + '0a07' + ascii('busybox'));
    expect(wire(ContainerConfig, { logPath: 'c/0.log' })).toBe('5a07' + ascii('c/0.log'));
    expect(wire(ContainerConfig, { linux: {} })).toBe('7a00');
  });

  it('keeps PodSandboxConfig.linux.cgroup_parent and the security context numbers', () => {
    expect(wire(PodSandboxConfig, { linux: { cgroupParent: '/k' } })).toBe('4204' + '0a02' + ascii('/k'));
    expect(wire(LinuxContainerSecurityContext, { runAsGroup: { value: 7 } })).toBe('62020807');
  });

  it('decodes a ContainerStatus with nanosecond timestamps beyond 2^53 as bigint', () => {
    const finishedAt = 1_700_000_000_123_456_789n;
    const status = ContainerStatus.fromPartial({ exitCode: 137, finishedAt, imageRef: 'sha256:x' });
    const bytes = ContainerStatus.encode(status).finish();
    // finished_at = 6, exit_code = 7, image_ref = 9
    expect(Buffer.from(bytes).toString('hex')).toMatch(/^30[0-9a-f]+3889014a08/);
    const decoded = ContainerStatus.decode(bytes);
    expect(decoded.finishedAt).toBe(finishedAt);
    expect(decoded.exitCode).toBe(137);
  });

  it('serves the public gRPC paths', () => {
    expect(RuntimeServiceService.version.path).toBe('/runtime.v1.RuntimeService/Version');
    expect(RuntimeServiceService.runPodSandbox.path).toBe('/runtime.v1.RuntimeService/RunPodSandbox');
    expect(ImageServiceService.pullImage.path).toBe('/runtime.v1.ImageService/PullImage');
  });
});

describe('kubeedge envelope and tunnel (our own contract)', () => {
  it('pins Header, Route and the frame kinds', () => {
    expect(wire(Header, { id: 'a', timestampMs: 1 })).toBe('0a01' + ascii('a') + '1801');
    expect(wire(Route, { operation: Operation.OPERATION_RESPONSE, resource: 'r' })).toBe('2006' + '2a01' + ascii('r'));
    expect(wire(Message, { contentType: 'x' })).toBe('2201' + ascii('x'));
    const ack = { $case: 'ack', value: { messageId: 'm' } };
    expect(wire(TunnelRequest, { frame: ack })).toBe('1203' + '0a01' + ascii('m'));
    expect(wire(TunnelRequest, { frame: { $case: 'keepalive', value: { sentAtMs: 1 } } })).toBe('1a020801');
    expect(CloudHubServiceService.tunnel.path).toBe('/kubeedge.tunnel.v1.CloudHubService/Tunnel');
  });
});
