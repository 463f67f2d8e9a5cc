export {
  MonitorServerError,
  startMonitorServer,
  type HealthCheck,
  type MonitorServer,
  type MonitorServerOptions,
} from './monitor-server';
export { createMetricsRegistry } from './registry';
