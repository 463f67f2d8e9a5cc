import {
  boolean,
  byteSize,
  defineConfig,
  duration,
  hostPort,
  hostPortInput,
  integer,
  labels,
  list,
  moduleSection,
  oneOf,
  section,
  text,
  type ModuleCatalogue,
} from '..';

/** A catalogue with one implemented module (alpha) and one that is not (beta, issue #7). */
export const TEST_MODULES: ModuleCatalogue<'alpha' | 'beta'> = {
  alpha: { implemented: true, issue: 1, enabledInKubeEdge: true },
  beta: { implemented: false, issue: 7, enabledInKubeEdge: false },
};

/** A small config format using every kind of field, for tests of the machinery itself. */
export function testSpec(catalogue: ModuleCatalogue<'alpha' | 'beta'> = TEST_MODULES) {
  return defineConfig({
    apiVersion: 'test.config.kubeedge.io/v1',
    kind: 'Test',
    description: 'A test format.',
    fields: {
      server: section('The server.', {
        bindAddress: hostPort({ default: '127.0.0.1:9091', description: 'Where to listen.' }),
        timeout: duration({ default: '15s', description: 'How long to wait.' }),
        maxBody: byteSize({ default: '12Mi', description: 'Largest body.' }),
        workers: integer({ default: 4, min: 1, max: 64, description: 'Worker count.' }),
        mode: oneOf({
          values: ['internal', 'both', 'external'],
          aliases: { 0: 'internal', 1: 'both', 2: 'external' },
          default: 'internal',
          description: 'Broker mode.',
        }),
        verbose: boolean({ default: false, description: 'Say more.' }),
        name: text({ default: 'node-1', description: 'A name that is long enough to need wrapping '.repeat(4).trim() }),
        labels: labels({ default: { zone: 'a' }, description: 'Node labels.' }),
        peers: list({
          default: ['127.0.0.1:10000'],
          minItems: 1,
          item: hostPortInput,
          itemHint: 'each item is host:port',
          description: 'Peers.',
        }),
      }),
      modules: section('The modules.', {
        alpha: moduleSection('alpha', catalogue.alpha, 'Alpha.', {
          period: duration({ default: 5, description: 'Period.' }),
        }),
        beta: moduleSection('beta', catalogue.beta, 'Beta.', {}),
      }),
    },
  });
}

/** The two lines every test document starts with. */
export const HEAD = 'apiVersion: test.config.kubeedge.io/v1\nkind: Test\n';
