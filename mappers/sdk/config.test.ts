import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../pkg/config';
import { loadMapperConfig, parseMapperConfig } from './config';

const defaults = { protocol: 'modbus' };

// KubeEdge mapper-framework's _template/mapper/config.yaml, as a user of KubeEdge has it.
const KUBEEDGE_TEMPLATE = `
grpc_server:
  socket_path: /etc/kubeedge/arduino.sock
common:
  name: arduino-mapper
  version: v1.13.0
  api_version: v1.0.0
  protocol: modbus
  address: 127.0.0.1
  edgecore_sock: /etc/kubeedge/dmi.sock
  http_port: "7777"
dev_init:
  mode: register
`;

function problems(text: string): string {
  try {
    parseMapperConfig(text, 'config.yaml', defaults);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

test("KubeEdge's template loads unchanged", () => {
  expect(parseMapperConfig(KUBEEDGE_TEMPLATE, 'config.yaml', defaults)).toEqual({
    socketPath: '/etc/kubeedge/arduino.sock',
    name: 'arduino-mapper',
    version: 'v1.13.0',
    apiVersion: 'v1.0.0',
    protocol: 'modbus',
    address: '127.0.0.1',
    edgecoreSock: '/etc/kubeedge/dmi.sock',
    httpPort: 7777,
  });
});

test('defaults: the socket after the name, edgecore at /etc/kubeedge/dmi.sock, REST on 7777, the driver protocol', () => {
  expect(parseMapperConfig('common:\n  name: m1\n', 'config.yaml', defaults)).toEqual({
    socketPath: '/etc/kubeedge/m1.sock',
    name: 'm1',
    version: 'v1.0.0',
    apiVersion: 'v1.0.0',
    protocol: 'modbus',
    address: '127.0.0.1',
    edgecoreSock: '/etc/kubeedge/dmi.sock',
    httpPort: 7777,
  });
});

test('an edgecore_sock folder means its dmi.sock, as edgecore names it', () => {
  expect(parseMapperConfig('common:\n  name: m1\n  edgecore_sock: /var/run/kubeedge/\n', 'c', defaults).edgecoreSock).toBe('/var/run/kubeedge/dmi.sock');
});

test('every problem names the field, the value, the line and the fix', () => {
  const message = problems(`grpc_server:
  socket_path: relative.sock
common:
  name: ""
  protocol: opcua
  http_port: 99999
  edgecore_sok: /x
`);
  expect(message).toContain('invalid config: config.yaml (5 problems)');
  expect(message).toContain('config.yaml:2: grpc_server.socket_path: not an absolute path (got "relative.sock"); write an absolute path starting with /');
  expect(message).toContain('config.yaml:4: common.name: missing; write a name such as modbus-mapper');
  expect(message).toContain('config.yaml:5: common.protocol: this mapper serves modbus (got "opcua"); write protocol: modbus');
  expect(message).toContain('config.yaml:6: common.http_port: not a port number (got 99999)');
  expect(message).toContain('config.yaml:7: common.edgecore_sok: unknown field; did you mean edgecore_sock?');
});

test('bad YAML and a non-mapping are refused clearly', () => {
  expect(problems('common: [\n')).toContain('config file is not valid YAML');
  expect(problems('- a\n- b\n')).toContain('not a YAML mapping; start with "grpc_server:" and "common:" sections');
  expect(problems('common: 3\n')).toContain('common: not a section (got 3)');
});

test('a missing file says so', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mapper-config-'));
  try {
    await expect(loadMapperConfig(join(dir, 'none.yaml'), defaults)).rejects.toThrow('config file not found');
    await writeFile(join(dir, 'ok.yaml'), KUBEEDGE_TEMPLATE);
    await expect(loadMapperConfig(join(dir, 'ok.yaml'), defaults)).resolves.toMatchObject({ name: 'arduino-mapper' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
