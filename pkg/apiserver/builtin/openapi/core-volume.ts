/**
 * core/v1 Volume and the volume sources an edge workload uses. Cloud and legacy in-tree sources (awsElasticBlockStore,
 * azureDisk, cephfs, cinder, ...) are accepted as free-form objects: they pass strict field validation, unchecked.
 */
import { anything, boolean, int32, int64, list, map, ref, string, stringMap, struct, value } from './dsl';
import { LocalObjectReference, ObjectFieldSelector, ResourceFieldSelector } from './core-container';
import { LabelSelector, ObjectMeta, Quantity } from './meta';

const CORE = 'io.k8s.api.core.v1';

export const KeyToPath = struct(`${CORE}.KeyToPath`, 'Maps a key to a file path in the volume.', {
  key: string('The key to project.').default('').required(),
  mode: int32('File mode bits (0000-0777); defaults to the volume\'s defaultMode.'),
  path: string('Relative file path; no ".." elements.').default('').required(),
});

export const HostPathVolumeSource = struct(`${CORE}.HostPathVolumeSource`, 'A file or directory of the node.', {
  path: string('Path on the node.').default('').required(),
  type: string('What must be at the path: "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice.'),
});

export const EmptyDirVolumeSource = struct(`${CORE}.EmptyDirVolumeSource`, 'A directory that lives as long as the pod.', {
  medium: string('"" for the node\'s disk, Memory for tmpfs.'),
  sizeLimit: ref(Quantity, 'Maximum size.'),
});

export const SecretVolumeSource = struct(`${CORE}.SecretVolumeSource`, 'A Secret\'s keys as files.', {
  defaultMode: int32('File mode bits; defaults to 0644.'),
  items: list(KeyToPath, 'Keys to project; all of them when empty.').atomic(),
  optional: boolean('Whether the Secret may be missing.'),
  secretName: string('Name of the Secret.'),
});

export const ConfigMapVolumeSource = struct(`${CORE}.ConfigMapVolumeSource`, 'A ConfigMap\'s keys as files.', {
  defaultMode: int32('File mode bits; defaults to 0644.'),
  items: list(KeyToPath, 'Keys to project; all of them when empty.').atomic(),
  name: string('Name of the ConfigMap.').default(''),
  optional: boolean('Whether the ConfigMap may be missing.'),
});

export const PersistentVolumeClaimVolumeSource = struct(`${CORE}.PersistentVolumeClaimVolumeSource`, 'A PersistentVolumeClaim of the namespace.', {
  claimName: string('Name of the claim.').default('').required(),
  readOnly: boolean('Mount read-only.'),
});

export const DownwardAPIVolumeFile = struct(`${CORE}.DownwardAPIVolumeFile`, 'A file holding a field of the pod.', {
  fieldRef: ref(ObjectFieldSelector, 'A field of the pod.'),
  mode: int32('File mode bits.'),
  path: string('Relative file path.').default('').required(),
  resourceFieldRef: ref(ResourceFieldSelector, 'A resource limit or request of a container.'),
});

export const DownwardAPIVolumeSource = struct(`${CORE}.DownwardAPIVolumeSource`, 'Pod fields as files.', {
  defaultMode: int32('File mode bits; defaults to 0644.'),
  items: list(DownwardAPIVolumeFile, 'The files.').atomic(),
});

export const SecretProjection = struct(`${CORE}.SecretProjection`, 'A Secret projected into a volume.', {
  items: list(KeyToPath, 'Keys to project.').atomic(),
  name: string('Name of the Secret.').default(''),
  optional: boolean('Whether the Secret may be missing.'),
});

export const ConfigMapProjection = struct(`${CORE}.ConfigMapProjection`, 'A ConfigMap projected into a volume.', {
  items: list(KeyToPath, 'Keys to project.').atomic(),
  name: string('Name of the ConfigMap.').default(''),
  optional: boolean('Whether the ConfigMap may be missing.'),
});

export const DownwardAPIProjection = struct(`${CORE}.DownwardAPIProjection`, 'Pod fields projected into a volume.', {
  items: list(DownwardAPIVolumeFile, 'The files.').atomic(),
});

export const ServiceAccountTokenProjection = struct(`${CORE}.ServiceAccountTokenProjection`, 'A service account token projected into a volume.', {
  audience: string('Intended audience of the token.'),
  expirationSeconds: int64('Requested lifetime; defaults to 3600, at least 600.'),
  path: string('Relative file path.').default('').required(),
});

export const ClusterTrustBundleProjection = struct(`${CORE}.ClusterTrustBundleProjection`, 'Certificates of ClusterTrustBundles projected into a file.', {
  labelSelector: ref(LabelSelector, 'Bundles to select.'),
  name: string('Bundle to select by name.'),
  optional: boolean('Whether the bundle may be missing.'),
  path: string('Relative file path.').default('').required(),
  signerName: string('Bundles of this signer.'),
});

export const VolumeProjection = struct(`${CORE}.VolumeProjection`, 'One source of a projected volume.', {
  clusterTrustBundle: ref(ClusterTrustBundleProjection, 'Trust anchors.'),
  configMap: ref(ConfigMapProjection, 'A ConfigMap.'),
  downwardAPI: ref(DownwardAPIProjection, 'Pod fields.'),
  secret: ref(SecretProjection, 'A Secret.'),
  serviceAccountToken: ref(ServiceAccountTokenProjection, 'A service account token.'),
});

export const ProjectedVolumeSource = struct(`${CORE}.ProjectedVolumeSource`, 'Several sources in one directory.', {
  defaultMode: int32('File mode bits; defaults to 0644.'),
  sources: list(VolumeProjection, 'The sources.').atomic(),
});

export const NFSVolumeSource = struct(`${CORE}.NFSVolumeSource`, 'An NFS export.', {
  path: string('Exported path.').default('').required(),
  readOnly: boolean('Mount read-only.'),
  server: string('NFS server host or IP.').default('').required(),
});

export const ISCSIVolumeSource = struct(`${CORE}.ISCSIVolumeSource`, 'An iSCSI disk.', {
  chapAuthDiscovery: boolean('CHAP authentication for discovery.'),
  chapAuthSession: boolean('CHAP authentication for the session.'),
  fsType: string('Filesystem type.'),
  initiatorName: string('Custom iSCSI initiator name.'),
  iqn: string('Target IQN.').default('').required(),
  iscsiInterface: string('iSCSI interface; defaults to "default".'),
  lun: int32('Target LUN.').default(0).required(),
  portals: list('string', 'Other target portals.').atomic(),
  readOnly: boolean('Mount read-only.'),
  secretRef: ref(LocalObjectReference, 'CHAP secret.'),
  targetPortal: string('Target portal, ip:port.').default('').required(),
});

export const FCVolumeSource = struct(`${CORE}.FCVolumeSource`, 'A Fibre Channel disk.', {
  fsType: string('Filesystem type.'),
  lun: int32('Target LUN.'),
  readOnly: boolean('Mount read-only.'),
  targetWWNs: list('string', 'Target world wide names.').atomic(),
  wwids: list('string', 'Volume world wide identifiers.').atomic(),
});

export const GitRepoVolumeSource = struct(`${CORE}.GitRepoVolumeSource`, 'Deprecated: a git repository cloned into an empty directory.', {
  directory: string('Target directory name.'),
  repository: string('Repository URL.').default('').required(),
  revision: string('Commit hash.'),
});

export const CSIVolumeSource = struct(`${CORE}.CSIVolumeSource`, 'An ephemeral volume of a CSI driver.', {
  driver: string('Name of the CSI driver.').default('').required(),
  fsType: string('Filesystem type.'),
  nodePublishSecretRef: ref(LocalObjectReference, 'Secret passed to the driver.'),
  readOnly: boolean('Mount read-only.'),
  volumeAttributes: stringMap('Driver-specific properties.'),
});

export const ImageVolumeSource = struct(`${CORE}.ImageVolumeSource`, 'An OCI image or artifact mounted read-only.', {
  pullPolicy: string('Always, Never or IfNotPresent.'),
  reference: string('Image or artifact reference.'),
});

export const TypedLocalObjectReference = struct(
  `${CORE}.TypedLocalObjectReference`,
  'A reference to a typed object in the same namespace.',
  {
    apiGroup: string('Group of the referent; empty for core.'),
    kind: string('Kind of the referent.').default('').required(),
    name: string('Name of the referent.').default('').required(),
  },
  { atomic: true },
);

export const TypedObjectReference = struct(`${CORE}.TypedObjectReference`, 'A reference to a typed object.', {
  apiGroup: string('Group of the referent; empty for core.'),
  kind: string('Kind of the referent.').default('').required(),
  name: string('Name of the referent.').default('').required(),
  namespace: string('Namespace of the referent.'),
});

export const VolumeResourceRequirements = struct(`${CORE}.VolumeResourceRequirements`, 'Storage requests and limits.', {
  limits: map(ref(Quantity), 'Maximum amounts.'),
  requests: map(ref(Quantity), 'Minimum amounts.'),
});

export const PersistentVolumeClaimSpec = struct(`${CORE}.PersistentVolumeClaimSpec`, 'The storage a claim asks for.', {
  accessModes: list('string', 'ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.').atomic(),
  dataSource: ref(TypedLocalObjectReference, 'Populate from this object.'),
  dataSourceRef: ref(TypedObjectReference, 'Populate from this object, possibly in another namespace.'),
  resources: value(VolumeResourceRequirements, 'Storage size.'),
  selector: ref(LabelSelector, 'Volumes to consider binding.'),
  storageClassName: string('Storage class.'),
  volumeAttributesClassName: string('Volume attributes class.'),
  volumeMode: string('Filesystem or Block; defaults to Filesystem.'),
  volumeName: string('Volume to bind to.'),
});

export const PersistentVolumeClaimTemplate = struct(`${CORE}.PersistentVolumeClaimTemplate`, 'A claim created with the pod.', {
  metadata: value(ObjectMeta, 'Labels and annotations of the claim.'),
  spec: value(PersistentVolumeClaimSpec, 'The claim\'s spec.').required(),
});

export const EphemeralVolumeSource = struct(`${CORE}.EphemeralVolumeSource`, 'A claim created and deleted with the pod.', {
  volumeClaimTemplate: ref(PersistentVolumeClaimTemplate, 'The claim to create.'),
});

/** Sources kept free-form: valid manifests using them must not be refused for an unknown field. */
const LEGACY_SOURCES = [
  'awsElasticBlockStore',
  'azureDisk',
  'azureFile',
  'cephfs',
  'cinder',
  'flexVolume',
  'flocker',
  'gcePersistentDisk',
  'glusterfs',
  'photonPersistentDisk',
  'portworxVolume',
  'quobyte',
  'rbd',
  'scaleIO',
  'storageos',
  'vsphereVolume',
];

export const Volume = struct(`${CORE}.Volume`, 'A named volume containers can mount; exactly one source.', {
  configMap: ref(ConfigMapVolumeSource, 'A ConfigMap\'s keys as files.'),
  csi: ref(CSIVolumeSource, 'An ephemeral CSI volume.'),
  downwardAPI: ref(DownwardAPIVolumeSource, 'Pod fields as files.'),
  emptyDir: ref(EmptyDirVolumeSource, 'A scratch directory (the default source).'),
  ephemeral: ref(EphemeralVolumeSource, 'A claim created with the pod.'),
  fc: ref(FCVolumeSource, 'A Fibre Channel disk.'),
  gitRepo: ref(GitRepoVolumeSource, 'Deprecated: a cloned git repository.'),
  hostPath: ref(HostPathVolumeSource, 'A path on the node.'),
  image: ref(ImageVolumeSource, 'An OCI image, read-only.'),
  iscsi: ref(ISCSIVolumeSource, 'An iSCSI disk.'),
  name: string('Name of the volume, a DNS label unique in the pod.').default('').required(),
  nfs: ref(NFSVolumeSource, 'An NFS export.'),
  persistentVolumeClaim: ref(PersistentVolumeClaimVolumeSource, 'A claim of the namespace.'),
  projected: ref(ProjectedVolumeSource, 'Several sources in one directory.'),
  secret: ref(SecretVolumeSource, 'A Secret\'s keys as files.'),
  ...Object.fromEntries(LEGACY_SOURCES.map((k) => [k, anything('A legacy in-tree volume source (not checked by this server).')])),
});
