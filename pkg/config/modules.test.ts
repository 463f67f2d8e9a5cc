import { defaultConfig, enabledModules, type ModuleCatalogue } from '.';
import { testSpec } from './testing/test-spec';

describe('module catalogue', () => {
  it('flipping implemented is what lets a module be enabled, and its default becomes KubeEdge\'s', () => {
    const before: ModuleCatalogue<'alpha' | 'beta'> = {
      alpha: { implemented: false, issue: 4, enabledInKubeEdge: true },
      beta: { implemented: false, issue: 7, enabledInKubeEdge: false },
    };
    const after = { ...before, alpha: { ...before.alpha, implemented: true } };
    expect(defaultConfig(testSpec(before)).modules.alpha.enable).toBe(false);
    expect(defaultConfig(testSpec(after)).modules.alpha.enable).toBe(true);
    expect(enabledModules(defaultConfig(testSpec(after)).modules, after)).toEqual(['alpha']);
  });

  it('never starts a module the catalogue says is not implemented', () => {
    const catalogue = { a: { implemented: false, issue: 1, enabledInKubeEdge: true } };
    expect(enabledModules({ a: { enable: true } }, catalogue)).toEqual([]);
  });

  it('skips catalogue entries configured inside another module', () => {
    const catalogue = { a: { implemented: true, issue: 1, enabledInKubeEdge: true }, nested: { implemented: true, issue: 2, enabledInKubeEdge: true } };
    expect(enabledModules({ a: { enable: true } }, catalogue)).toEqual(['a']);
  });
});
