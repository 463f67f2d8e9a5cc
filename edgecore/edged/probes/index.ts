export { runProbe, resolvePort, PROBE_USER_AGENT, type ProbeOutcome, type ProbeTarget } from './run';
export { ProbeWorker, ContainerProbes, type ProbeWorkerOptions, type ContainerProbesOptions } from './worker';
export { validateProbe, validateContainerProbes, probeTiming, type ProbeKind, type ProbeTiming } from './validate';
