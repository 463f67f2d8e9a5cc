/**
 * Reading what the edge reports about a device (contract 7 of the devices plan; facts §5.4, §5.5), as CloudHub hands
 * it over after the `node/<node>/` prefix:
 *
 * | resource                                  | content                                                          |
 * |-------------------------------------------|------------------------------------------------------------------|
 * | `device/<ns>/<name>/twin/edge_updated`    | DeviceTwinUpdate: `twin.<property>.actual.value` = reported, `expected.value` = observed desired |
 * | `device/<ns>/<name>/state/update`         | DeviceStateToCloud: `device.state`, `device.lastOnlineTime`      |
 * | `device/batch/report`                     | `{"reports": [{"namespace", "name", "twin"?, "state"?}]}`: many devices' twin and state contents in one message (edgehub's rate counts messages) |
 *
 * Everything is checked before anything is written; a problem is a DeviceReportError naming the field and the fix, and
 * refuses the whole report (as the edge's twin module answers 400 for a bad update).
 */
import { TWIN_NAME_PATTERN, type MsgTwin, type TwinProperty } from '../../pkg/devices';
import { readJsonContent, type Message } from '../../pkg/message';
import { DeviceReportError } from './errors';
import { emptyReport, type StatusReport } from './status-report';

export type ReportType = 'twin' | 'state';

export interface DeviceReportTarget {
  type: ReportType;
  namespace: string;
  name: string;
}

const SUFFIXES: Readonly<Record<string, ReportType>> = { 'twin/edge_updated': 'twin', 'state/update': 'state' };

export const SUPPORTED_REPORTS = 'device/<namespace>/<name>/twin/edge_updated and device/<namespace>/<name>/state/update';

/** What an edge resource (after `node/<node>/`) is about; throws UNSUPPORTED for anything else. */
export function parseReportResource(rest: string): DeviceReportTarget {
  const parts = rest.split('/');
  const type = SUFFIXES[parts.slice(3).join('/')];
  if (parts.length !== 5 || parts[0] !== 'device' || !parts[1] || !parts[2] || type === undefined) {
    throw new DeviceReportError('unsupported', `route.resource ${JSON.stringify(rest)}: devicecontroller takes ${SUPPORTED_REPORTS}`);
  }
  return { type, namespace: parts[1], name: parts[2] };
}

export const BATCH_RESOURCE = 'device/batch/report';

/** The status changes a report asks for. */
export function readReport(type: ReportType, message: Message): StatusReport {
  return readReportContent(type, readContent(message));
}

export function readReportContent(type: ReportType, content: Record<string, unknown>): StatusReport {
  return type === 'twin' ? readTwinUpdate(content) : readStateUpdate(content);
}

/** One device's report inside a batch; `content` is checked later, on its own, so one bad entry spoils no other. */
export interface BatchEntry {
  target: DeviceReportTarget;
  content: unknown;
}

/** The entries of a batch; throws only when the batch itself is malformed. */
export function readBatch(message: Message): BatchEntry[] {
  const reports = readContent(message)['reports'];
  if (!Array.isArray(reports)) {
    throw new DeviceReportError('invalid', `reports: ${reports === undefined ? 'missing' : `a JSON ${kindOf(reports)}`}; send {"reports": [{"namespace", "name", "twin", "state"}]}`);
  }
  const entries: BatchEntry[] = [];
  for (const [index, report] of reports.entries()) {
    const namespace = isObject(report) ? report['namespace'] : undefined;
    const name = isObject(report) ? report['name'] : undefined;
    if (typeof namespace !== 'string' || namespace === '' || typeof name !== 'string' || name === '') {
      throw new DeviceReportError('invalid', `reports[${index}]: needs "namespace" and "name" strings (the Device's)`);
    }
    const entry = report as Record<string, unknown>;
    for (const type of ['twin', 'state'] as const) {
      if (entry[type] !== undefined) entries.push({ target: { type, namespace, name }, content: entry[type] });
    }
  }
  return entries;
}

/** A batch entry's content as an object, or a DeviceReportError naming the entry. */
export function entryContent(entry: BatchEntry): Record<string, unknown> {
  if (!isObject(entry.content)) {
    throw new DeviceReportError('invalid', `reports[${entry.target.namespace}/${entry.target.name}].${entry.target.type}: a JSON ${kindOf(entry.content)}, not an object`);
  }
  return entry.content;
}

/** JSON content; also JSON text sent as opaque bytes or as a JSON string (as KubeEdge's edge wraps MQTT payloads). */
function readContent(message: Message): Record<string, unknown> {
  let value: unknown;
  try {
    if (message.contentType === '') value = JSON.parse(message.content.toString('utf8'));
    else value = readJsonContent(message);
    if (typeof value === 'string') value = JSON.parse(value);
  } catch (error) {
    throw new DeviceReportError('invalid', `content: not JSON (${(error as Error).message}); send the report as JSON (jsonContent)`, { cause: error });
  }
  if (!isObject(value)) throw new DeviceReportError('invalid', `content: a JSON ${kindOf(value)}, not an object; send {"event_id", "timestamp", ...}`);
  return value;
}

function readTwinUpdate(content: Record<string, unknown>): StatusReport {
  const twins = content['twin'];
  if (!isObject(twins)) {
    throw new DeviceReportError('invalid', `twin: ${twins === undefined ? 'missing' : `a JSON ${kindOf(twins)}`}; send {"twin": {"<property>": {"actual": {"value": "..."}}}}`);
  }
  const report = emptyReport();
  for (const [name, raw] of Object.entries(twins)) {
    if (!TWIN_NAME_PATTERN.test(name)) {
      throw new DeviceReportError('invalid', `twin[${JSON.stringify(name)}]: not a valid twin name; use 1-128 of a-z A-Z 0-9 - _ . , : / @ # (the Device's property name)`);
    }
    if (raw !== null && !isObject(raw)) throw new DeviceReportError('invalid', `twin.${name}: a JSON ${kindOf(raw)}; send an object with actual and/or expected`);
    const twin = raw as MsgTwin | null;
    if (twin === null || twin.metadata?.type === 'deleted') {
      report.twins.set(name, { kind: 'delete' });
      continue;
    }
    const reported = readValue(twin, 'actual', name);
    const observedDesired = readValue(twin, 'expected', name);
    report.twins.set(name, { kind: 'set', reset: false, ...(reported ? { reported } : {}), ...(observedDesired ? { observedDesired } : {}) });
  }
  return report;
}

/** `twin.<name>.actual` or `.expected` as a TwinProperty; undefined when absent or its value is null. */
function readValue(twin: MsgTwin, field: 'actual' | 'expected', name: string): TwinProperty | undefined {
  const raw: unknown = twin[field];
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) throw new DeviceReportError('invalid', `twin.${name}.${field}: a JSON ${kindOf(raw)}; send {"value": "...", "metadata": {"timestamp": <ms>}}`);
  const value = raw['value'];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new DeviceReportError('invalid', `twin.${name}.${field}.value: a JSON ${kindOf(value)}; twin values are strings, send "${String(value)}"`);
  }
  const metadata: Record<string, string> = {};
  const timestamp = isObject(raw['metadata']) ? raw['metadata']['timestamp'] : undefined;
  if (typeof timestamp === 'number' && Number.isFinite(timestamp)) metadata['timestamp'] = String(timestamp);
  const type = twin.metadata?.type;
  if (typeof type === 'string' && type !== '') metadata['type'] = type;
  return Object.keys(metadata).length > 0 ? { value, metadata } : { value };
}

function readStateUpdate(content: Record<string, unknown>): StatusReport {
  const device = content['device'];
  if (!isObject(device)) {
    throw new DeviceReportError('invalid', `device: ${device === undefined ? 'missing' : `a JSON ${kindOf(device)}`}; send {"device": {"state": "online", "lastOnlineTime": "..."}}`);
  }
  const state = device['state'];
  if (typeof state !== 'string' || state === '') {
    throw new DeviceReportError('invalid', `device.state: ${state === undefined ? 'missing' : `${JSON.stringify(state)} is not a non-empty string`}; send the state, such as "online"`);
  }
  const lastOnlineTime = device['lastOnlineTime'];
  if (lastOnlineTime !== undefined && lastOnlineTime !== null && typeof lastOnlineTime !== 'string') {
    throw new DeviceReportError('invalid', `device.lastOnlineTime: a JSON ${kindOf(lastOnlineTime)}; send a time string such as "2024-05-01T10:00:00Z"`);
  }
  const report = emptyReport();
  report.state = state;
  if (typeof lastOnlineTime === 'string' && lastOnlineTime !== '') report.lastOnlineTime = lastOnlineTime;
  return report;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}
