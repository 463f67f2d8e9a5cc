import { parse } from 'yaml';
import { defaultConfig, parseConfig, renderDefaultConfig } from '.';
import { testSpec } from './testing/test-spec';

const spec = testSpec();

describe('renderDefaultConfig', () => {
  const text = renderDefaultConfig(spec, { header: 'Test defaults.\nSecond line.' });

  it('loads back to exactly the defaults', () => {
    expect(parseConfig(spec, text)).toEqual(defaultConfig(spec));
  });

  it('writes defaults the way a user would, not compiled', () => {
    expect(parse(text)).toMatchObject({
      apiVersion: 'test.config.kubeedge.io/v1',
      kind: 'Test',
      server: { bindAddress: '127.0.0.1:9091', timeout: '15s', maxBody: '12Mi', peers: ['127.0.0.1:10000'], labels: { zone: 'a' } },
      modules: { alpha: { enable: true, period: 5 }, beta: { enable: false } },
    });
  });

  it('starts with the header and puts each description above its field', () => {
    const lines = text.split('\n');
    expect(lines.slice(0, 2)).toEqual(['# Test defaults.', '# Second line.']);
    expect(lines[lines.indexOf('  timeout: 15s') - 1]).toBe('  # How long to wait.');
    expect(lines[lines.indexOf('server:') - 1]).toBe('# The server.');
    expect(text).toContain('    # Run the beta module. Not implemented yet (issue #7), so it must stay false.');
  });

  it('wraps long descriptions into several comment lines', () => {
    const nameLine = text.split('\n').indexOf('  name: node-1');
    const comments = text.split('\n').slice(nameLine - 2, nameLine);
    expect(comments.every((line) => line.startsWith('  # '))).toBe(true);
    expect(comments.every((line) => line.length <= 100)).toBe(true);
  });

  it('leaves a blank line before each section', () => {
    expect(text).toMatch(/\n\n# The server\.\nserver:\n/);
    expect(text).toMatch(/\n\n {2}# Beta\.\n {2}beta:\n/);
  });
});
