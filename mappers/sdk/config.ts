/**
 * The mapper's config file, in the layout of KubeEdge's mapper-framework template, so an existing mapper's
 * config.yaml works unchanged:
 *
 *   grpc_server:
 *     socket_path: /etc/kubeedge/modbus.sock   # this mapper's DeviceMapperService socket
 *   common:
 *     name: modbus-mapper
 *     version: v1.0.0
 *     api_version: v1.0.0
 *     protocol: modbus
 *     address: 127.0.0.1                       # where the REST API listens
 *     edgecore_sock: /etc/kubeedge/dmi.sock    # edgecore's DeviceManagerService
 *     http_port: 7777                          # REST API port (0: any free port)
 *
 * Validated with the project's config machinery (pkg/config): every problem names its field, the bad value and
 * the fix, with its line. Unlike edgecore's files it has no apiVersion/kind, as KubeEdge's mapper configs have none.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { absolutePath, ConfigError, field, host, leaf, port, section, text, type ConfigIssue } from '../../pkg/config';
import { toPathIssues } from '../../pkg/config/issues';

export interface MapperConfig {
  /** Where this mapper serves DeviceMapperService (sent to edgecore as MapperInfo.address). */
  readonly socketPath: string;
  readonly name: string;
  readonly version: string;
  readonly apiVersion: string;
  readonly protocol: string;
  /** The REST API's bind address. */
  readonly address: string;
  readonly edgecoreSock: string;
  readonly httpPort: number;
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function requiredName(description: string, example: string) {
  const hint = `write a name such as ${example} (letters, digits, - _ .)`;
  const schema = leaf<string>((input, report) => {
    if (input === undefined || input === '') report({ problem: 'missing', hint, showInput: false });
    else if (typeof input !== 'string' || !NAME.test(input)) report({ problem: 'not a valid name', hint });
    else return input;
    return undefined;
  });
  return z.preprocess((value) => (value === null ? undefined : value), schema).meta({ description });
}

function schema(defaults: { protocol: string }) {
  return section('A device mapper.', {
    grpc_server: section('The DeviceMapperService edgecore calls.', {
      socket_path: absolutePath({
        default: '',
        allowEmpty: true,
        description: "This mapper's gRPC unix socket; empty: /etc/kubeedge/<common.name>.sock.",
      }),
    }),
    common: section('The mapper itself and where edgecore is.', {
      name: requiredName("The mapper's name, as edgecore records it.", 'modbus-mapper'),
      version: text({ default: 'v1.0.0', description: "The mapper's version." }),
      api_version: text({ default: 'v1.0.0', description: 'The DMI API version the mapper speaks.' }),
      protocol: text({
        default: defaults.protocol,
        valid: (value) => (value === defaults.protocol ? undefined : `this mapper serves ${defaults.protocol}`),
        hint: `write protocol: ${defaults.protocol}`,
        description: 'The protocol this mapper serves; edgecore hands it the devices of that protocol.',
      }),
      address: host({ default: '127.0.0.1', description: 'Address the REST API listens on.' }),
      edgecore_sock: absolutePath({
        default: '/etc/kubeedge/dmi.sock',
        description: "edgecore's DMI socket (a folder ending in / means <folder>/dmi.sock).",
      }),
      http_port: port({ default: 7777, description: 'Port of the REST API (0: any free port).' }),
    }),
    // KubeEdge's templates carry these; they are accepted so those files load, and not used.
    dev_init: field(z.unknown(), undefined, { description: 'Accepted for compatibility with older KubeEdge mappers; ignored.' }),
    database: field(z.unknown(), undefined, { description: 'Accepted for compatibility with KubeEdge mapper-framework; ignored.' }),
  });
}

/** Reads and checks a mapper config file; throws ConfigError listing every problem. */
export async function loadMapperConfig(path: string, defaults: { protocol: string }): Promise<MapperConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    const problem = missing ? 'no such file; check the path' : `cannot be read (${(cause as Error).message})`;
    throw new ConfigError(missing ? 'CONFIG_NOT_FOUND' : 'CONFIG_UNREADABLE', path, [{ path: '', text: problem }], { cause });
  }
  return parseMapperConfig(text, path, defaults);
}

export function parseMapperConfig(text: string, origin: string, defaults: { protocol: string }): MapperConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error) => ({ path: '', text: `YAML syntax error: ${error.message.split(' at line ')[0]}`, line: error.linePos?.[0].line }));
    throw new ConfigError('CONFIG_YAML_SYNTAX', origin, issues);
  }
  const value: unknown = doc.toJS() ?? {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('CONFIG_INVALID', origin, [{ path: '', text: '(top level): not a YAML mapping; start with "grpc_server:" and "common:" sections' }]);
  }
  const root = schema(defaults);
  const result = root.safeParse(value, { reportInput: true });
  if (!result.success) {
    const issues: ConfigIssue[] = toPathIssues(result.error.issues, root).map((issue) => ({ path: issue.path, text: issue.text, ...lineOf(doc, lineCounter, issue.rawPath) }));
    throw new ConfigError('CONFIG_INVALID', origin, issues);
  }
  const { grpc_server: grpc, common } = result.data as unknown as {
    grpc_server: { socket_path: string };
    common: { name: string; version: string; api_version: string; protocol: string; address: string; edgecore_sock: string; http_port: number };
  };
  return {
    socketPath: grpc.socket_path || `/etc/kubeedge/${common.name}.sock`,
    name: common.name,
    version: common.version,
    apiVersion: common.api_version,
    protocol: common.protocol,
    address: common.address,
    edgecoreSock: common.edgecore_sock.endsWith('/') ? join(common.edgecore_sock, 'dmi.sock') : common.edgecore_sock,
    httpPort: common.http_port,
  };
}

/** The line of the deepest key along `path` that the file has. */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly (string | number)[]): { line?: number } {
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair === undefined) break;
      offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') node = node.items[key];
    else break;
  }
  return offset === undefined ? {} : { line: lineCounter.linePos(offset).line };
}
