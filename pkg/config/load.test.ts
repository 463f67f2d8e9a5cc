import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultConfig, enabledModules, loadConfig, parseConfig } from '.';
import { HEAD, TEST_MODULES, testSpec } from './testing/test-spec';

const spec = testSpec();

/** The ConfigError parsing `text` throws (fails the test when it does not throw). */
function errorOf(text: string): ConfigError {
  try {
    parseConfig(spec, text, 'test.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const texts = (text: string) => errorOf(text).issues.map((issue) => issue.text);

describe('parseConfig: valid files', () => {
  it('fills every default and compiles units into the names', () => {
    const config = parseConfig(spec, HEAD);
    expect(config).toEqual(defaultConfig(spec));
    expect(config.server).toEqual({
      bindAddress: { host: '127.0.0.1', port: 9091 },
      timeoutMs: 15_000,
      maxBodyBytes: 12 * 2 ** 20,
      workers: 4,
      mode: 'internal',
      verbose: false,
      name: 'node-1',
      labels: { zone: 'a' },
      peers: [{ host: '127.0.0.1', port: 10000 }],
    });
  });

  it('reads bare numbers as seconds, quantities, aliases and IPv6 addresses', () => {
    const config = parseConfig(
      spec,
      `${HEAD}server:\n  timeout: 2.5\n  maxBody: 1Gi\n  mode: 2\n  bindAddress: "[::1]:0"\nmodules:\n  alpha:\n    period: 1h30m\n`,
    );
    expect(config.server).toMatchObject({ timeoutMs: 2500, maxBodyBytes: 2 ** 30, mode: 'external', bindAddress: { host: '::1', port: 0 } });
    expect(config.modules.alpha.periodMs).toBe(5_400_000);
  });

  it('treats empty values and empty sections as unset', () => {
    const config = parseConfig(spec, `${HEAD}server:\n  timeout:\n  workers: ~\nmodules:\n`);
    expect(config).toEqual(defaultConfig(spec));
  });

  it('enables implemented modules by their KubeEdge default, and only those run', () => {
    const config = parseConfig(spec, HEAD);
    expect(config.modules.alpha.enable).toBe(true);
    expect(config.modules.beta.enable).toBe(false);
    expect(enabledModules(config.modules, TEST_MODULES)).toEqual(['alpha']);
    const off = parseConfig(spec, `${HEAD}modules:\n  alpha:\n    enable: false\n`);
    expect(enabledModules(off.modules, TEST_MODULES)).toEqual([]);
  });
});

describe('parseConfig: bad files', () => {
  it('reports YAML syntax errors with line and column', () => {
    const error = errorOf(`${HEAD}server:\n  peers: [1.2.3.4:1\n  name: x\n`);
    expect(error.code).toBe('CONFIG_YAML_SYNTAX');
    expect(error.issues[0]).toMatchObject({ line: 5, column: 3 });
    expect(error.message).toMatch(/^config file is not valid YAML: test\.yaml \(1 problem\)\n {2}test\.yaml:5:3: YAML syntax error: /);
  });

  it('reports duplicate keys and tabs as syntax errors with a fix', () => {
    expect(texts(`${HEAD}server: {}\nserver: {}\n`)).toEqual(['YAML syntax error: a key may appear once per section; remove or merge the repeats']);
    expect(errorOf(`${HEAD}server:\n\tname: x\n`).code).toBe('CONFIG_YAML_SYNTAX');
  });

  it('checks apiVersion and kind first, naming the expected values', () => {
    const error = errorOf('apiVersion: cloudcore.config.kubeedge.io/v1alpha1\nkind: CloudCore\nserver: 5\n');
    expect(error.code).toBe('CONFIG_WRONG_KIND');
    expect(error.issues).toEqual([
      {
        path: 'apiVersion',
        line: 1,
        text: 'apiVersion: unsupported version (got "cloudcore.config.kubeedge.io/v1alpha1"); this program reads apiVersion: test.config.kubeedge.io/v1',
      },
      { path: 'kind', line: 2, text: 'kind: wrong kind (got "CloudCore"); this program reads kind: Test' },
    ]);
    expect(texts('kind: Test\n')).toEqual(['apiVersion: missing; this program reads apiVersion: test.config.kubeedge.io/v1']);
  });

  it('refuses empty files and documents that are not mappings', () => {
    expect(texts('# nothing\n')).toEqual([
      '(top level): the file is empty; start the file with "apiVersion: test.config.kubeedge.io/v1" and "kind: Test"',
    ]);
    expect(errorOf('- a\n- b\n').code).toBe('CONFIG_INVALID');
  });

  it('names unknown fields with what is allowed, and guesses typos', () => {
    expect(texts(`${HEAD}modules:\n  frobnicator: {}\n  Alpha: {}\n`)).toEqual([
      'modules.frobnicator: unknown field; allowed here: alpha, beta',
      'modules.Alpha: unknown field; did you mean alpha? allowed here: alpha, beta',
    ]);
    expect(texts(`${HEAD}server:\n  timout: 1s\n`)[0]).toBe(
      'server.timout: unknown field; did you mean timeout? allowed here: bindAddress, timeout, maxBody, workers, mode, verbose, name, labels, peers',
    );
  });

  it('reports wrong types', () => {
    expect(texts(`${HEAD}server:\n  workers: "4"\n  verbose: yes\n  name: 5\n`)).toEqual([
      'server.workers: not a whole number (got "4"); write a whole number from 1 to 64, such as 4',
      'server.verbose: not true or false (got "yes"); write true or false',
      'server.name: not a string (got 5); write a quoted string',
    ]);
    expect(texts(`${HEAD}server: fast\n`)).toEqual([
      'server: not a section (got "fast"); write its fields indented below it, or remove it to use the defaults',
    ]);
    expect(texts(`${HEAD}server:\n  peers: 127.0.0.1:1\n`)[0]).toMatch(/^server\.peers: not a list \(got "127\.0\.0\.1:1"\); write a YAML list/);
  });

  it('reports bad durations, quantities and enums with how to write them', () => {
    expect(texts(`${HEAD}server:\n  timeout: 15 sec\n  maxBody: 12MB\n  mode: 3\n`)).toEqual([
      'server.timeout: not a duration (got "15 sec"); write a number of seconds or a duration such as "15s"',
      'server.maxBody: not a byte size (got "12MB"); write a number of bytes or a quantity such as "12Mi" (suffixes Ki, Mi, Gi, Ti or k, M, G, T)',
      'server.mode: not an allowed value (got 3); allowed: internal, both, external (or 0, 1, 2)',
    ]);
  });

  it('refuses negative and out-of-range numbers', () => {
    expect(texts(`${HEAD}server:\n  workers: -1\n  timeout: -5\n  maxBody: -1Ki\n`)).toEqual([
      'server.workers: out of range (got -1); write a whole number from 1 to 64',
      'server.timeout: out of range (got -5); write a duration of at least 1ms, such as "15s"',
      'server.maxBody: out of range (got "-1Ki"); write a size from 1 to 9007199254740991 bytes',
    ]);
  });

  it('refuses durations a timer cannot wait for', () => {
    expect(texts(`${HEAD}server:\n  timeout: 600h\n`)).toEqual([
      'server.timeout: out of range (got "600h"); write at most 596h (about 24 days, the longest a timer can wait)',
    ]);
  });

  it('refuses enabling a module that is not implemented, naming its issue', () => {
    expect(texts(`${HEAD}modules:\n  beta:\n    enable: true\n`)).toEqual([
      'modules.beta.enable: the beta module is not implemented yet (tracked in issue #7); set enable: false',
    ]);
  });

  it('reports bad items in lists and maps at their own path', () => {
    expect(texts(`${HEAD}server:\n  peers: ["127.0.0.1:1", nope]\n  labels:\n    "bad key": x\n    ok: "bad value"\n`)).toEqual([
      'server.peers[1]: not a host:port address (got "nope"); each item is host:port',
      'server.labels["bad key"]: not a valid label key (got "bad key"); label keys are [prefix/]name, the name up to 63 letters, digits, "-", "_" or "."',
      'server.labels.ok: not a valid label value (got "bad value"); label values are empty or up to 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric',
    ]);
    expect(texts(`${HEAD}server:\n  peers: []\n`)).toEqual(['server.peers: needs at least 1 item (got []); each item is host:port']);
  });

  it('reports every problem at once, in file order, with line numbers', () => {
    const error = errorOf(`${HEAD}modules:\n  beta:\n    enable: true\nserver:\n  workers: 0\n  nonsense: 1\n  timeout: soon\n`);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues.map((issue) => [issue.line, issue.path])).toEqual([
      [5, 'modules.beta.enable'],
      [7, 'server.workers'],
      [8, 'server.nonsense'],
      [9, 'server.timeout'],
    ]);
    expect(error.message.split('\n')[0]).toBe('invalid config: test.yaml (4 problems)');
    expect(error.message).toContain('\n  test.yaml:9: server.timeout: not a duration (got "soon");');
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'config-test-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a file and names it in errors', async () => {
    const path = join(dir, 'good.yaml');
    await writeFile(path, `${HEAD}server:\n  workers: 8\n`);
    expect((await loadConfig(spec, { path })).server.workers).toBe(8);
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, `${HEAD}server:\n  workers: 0\n`);
    await expect(loadConfig(spec, { path: bad })).rejects.toThrow(`${bad}:4: server.workers: out of range`);
  });

  it('says CONFIG_NOT_FOUND for a missing file', async () => {
    await expect(loadConfig(spec, { path: join(dir, 'missing.yaml') })).rejects.toMatchObject({ code: 'CONFIG_NOT_FOUND' });
  });

  it('parses text handed in directly', async () => {
    await expect(loadConfig(spec, { text: HEAD, origin: '<stdin>' })).resolves.toEqual(defaultConfig(spec));
  });
});
