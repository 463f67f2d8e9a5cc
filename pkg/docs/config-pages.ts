import { join } from 'node:path';
import { CLOUDCORE_CONFIG_PATH, cloudCoreConfigSpec } from '../../cloudcore/config';
import { EDGECORE_CONFIG_PATH, edgeCoreConfigSpec } from '../../edgecore/config';
import type { ReferencePage } from '../config';

/** The generated configuration references and where they live in the repository. */
export const CONFIG_PAGES: readonly (ReferencePage & { readonly file: string })[] = [
  { program: 'cloudcore', defaultPath: CLOUDCORE_CONFIG_PATH, spec: cloudCoreConfigSpec(), file: join('cloudcore', 'CONFIG.md') },
  { program: 'edgecore', defaultPath: EDGECORE_CONFIG_PATH, spec: edgeCoreConfigSpec(), file: join('edgecore', 'CONFIG.md') },
];
