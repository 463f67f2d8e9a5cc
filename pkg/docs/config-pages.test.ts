import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderConfigReference } from '../config';
import { CONFIG_PAGES } from './config-pages';

const root = resolve(__dirname, '..', '..');

describe('generated configuration references', () => {
  it.each(CONFIG_PAGES.map((page) => [page.file, page] as const))('%s matches the config spec (else run make config-docs)', (file, page) => {
    const committed = readFileSync(join(root, file), 'utf8');
    expect(committed).toBe(renderConfigReference(page));
  });

  it('lists each field with its default, sections in bold', () => {
    const edge = renderConfigReference(CONFIG_PAGES[1]!);
    expect(edge).toContain('| `modules.edgeHub.heartbeat` | `"15s"` |');
    expect(edge).toContain('| **`modules.edgeHub`** |  |');
  });
});
