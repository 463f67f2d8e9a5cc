/** Which cloud module takes upstream messages of each group, and which modules hear about connections (the plan). */
import { ModuleError } from '../../pkg/modules';

export interface CloudModuleRoute {
  /** The module's runtime name. */
  readonly module: string;
  /** Its section under `modules:` in cloudcore.yaml, for the error that says how to enable it. */
  readonly configName: string;
}

export const UPSTREAM_ROUTES: Readonly<Record<string, CloudModuleRoute>> = {
  resource: { module: 'edgecontroller', configName: 'edgeController' },
  twin: { module: 'devicecontroller', configName: 'deviceController' },
  user: { module: 'router', configName: 'router' },
};

/** Modules told CONNECTED / DISCONNECTED for each node, when they run. */
export const CONNECTION_LISTENERS: readonly string[] = ['edgecontroller', 'devicecontroller', 'synccontroller'];

/** The runtime has no such module, or it has stopped for good. */
export function isModuleAbsent(error: unknown): boolean {
  return error instanceof ModuleError && (error.code === 'UNKNOWN_MODULE' || error.code === 'NOT_RUNNING');
}

export function isRuntimeStopping(error: unknown): boolean {
  return error instanceof ModuleError && error.code === 'STOPPED';
}
