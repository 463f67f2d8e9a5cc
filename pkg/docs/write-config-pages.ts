#!/usr/bin/env node
/** `make config-docs`: rewrites cloudcore/CONFIG.md and edgecore/CONFIG.md from the config specs. */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderConfigReference } from '../config';
import { CONFIG_PAGES } from './config-pages';

const root = resolve(__dirname, '..', '..', '..');
for (const page of CONFIG_PAGES) {
  writeFileSync(join(root, page.file), renderConfigReference(page));
  process.stdout.write(`wrote ${page.file}\n`);
}
