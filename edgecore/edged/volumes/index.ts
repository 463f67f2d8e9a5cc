export { VolumeManager, type VolumeLog, type VolumeManagerOptions } from './manager';
export { writeAtomically, validatePath, type FileProjection, type Payload } from './atomic-writer';
export { checkHostPath, HOST_PATH_TYPES } from './host-path';
export { systemMounter, type Mounter } from './mounts';
export { DEFAULT_FILE_MODE } from './payload';

import { VolumeManager, type VolumeManagerOptions } from './manager';

/** The module factory (STYLE #8). */
export function createVolumeManager(options: VolumeManagerOptions): VolumeManager {
  return new VolumeManager(options);
}
