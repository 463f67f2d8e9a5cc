/**
 * A property's pushMethod compiled: where each collected value is also sent. MQTT and HTTP are served; database
 * methods (influxdb2, redis, TDengine, MySQL) and OpenTelemetry are not, and are reported as warnings rather than
 * refusing the device.
 */
import type { PushMethod } from '../../gen/kubeedge/dmi/v1beta1/api';

export type PushTarget =
  | { readonly kind: 'mqtt'; readonly address: string; readonly topic: string; readonly qos: 0 | 1 | 2; readonly retained: boolean }
  | { readonly kind: 'http'; readonly url: string; readonly timeoutMs: number };

/** HTTP push timeout when the Device gives none (pushMethod.http.timeout, milliseconds). */
export const DEFAULT_HTTP_TIMEOUT_MS = 5000;

const MQTT_SCHEMES = ['mqtt', 'mqtts', 'tcp', 'ssl', 'ws', 'wss'];

export function compilePushMethods(method: PushMethod | undefined, path: string, issues: string[], warnings: string[]): PushTarget[] {
  if (method === undefined) return [];
  const targets: PushTarget[] = [];
  if (method.mqtt !== undefined) {
    const { address, topic, qos, retained } = method.mqtt;
    const before = issues.length;
    if (!URL.canParse(address) || !MQTT_SCHEMES.includes(new URL(address).protocol.replace(/:$/, ''))) {
      issues.push(`${path}.mqtt.address: ${JSON.stringify(address)} is not a broker URL; write one such as mqtt://127.0.0.1:1883`);
    }
    if (topic === '' || /[#+]/.test(topic)) {
      issues.push(`${path}.mqtt.topic: ${JSON.stringify(topic)} cannot be published to; write a topic without wildcards, such as devices/thermometer/temperature`);
    }
    if (qos !== 0 && qos !== 1 && qos !== 2) issues.push(`${path}.mqtt.qos: ${qos} is not a QoS; write 0, 1 or 2`);
    if (issues.length === before) targets.push({ kind: 'mqtt', address, topic, qos: qos as 0 | 1 | 2, retained });
  }
  if (method.http !== undefined) {
    const { hostname, port, requestpath, timeout } = method.http;
    const base = hostname.includes('://') ? hostname : `http://${hostname}`;
    const before = issues.length;
    if (hostname === '' || !URL.canParse(base) || !['http:', 'https:'].includes(new URL(base).protocol)) {
      issues.push(`${path}.http.hostName: ${JSON.stringify(hostname)} is not a host; write one such as http://127.0.0.1 or 127.0.0.1`);
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) issues.push(`${path}.http.port: ${port} is not a port; write a number from 1 to 65535`);
    if (timeout < 0) issues.push(`${path}.http.timeout: ${timeout} is negative; write milliseconds, or 0 for ${DEFAULT_HTTP_TIMEOUT_MS}`);
    if (issues.length === before) {
      const url = new URL(base);
      url.port = String(port);
      url.pathname = requestpath.startsWith('/') ? requestpath : `/${requestpath}`;
      targets.push({ kind: 'http', url: url.toString(), timeoutMs: timeout > 0 ? timeout : DEFAULT_HTTP_TIMEOUT_MS });
    }
  }
  if (method.dbMethod !== undefined) warnings.push(`${path}.dbMethod: database push methods are not supported by this mapper; values are not written to a database`);
  if (method.otel !== undefined) warnings.push(`${path}.otel: OpenTelemetry push is not supported by this mapper; values are not exported`);
  return targets;
}
