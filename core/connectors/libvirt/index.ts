/** The libvirt connector's public surface: what core/services may use. */
export { isLibvirtFailure, LIBVIRT_REMEDIES, LibvirtFailure } from './failures';
export type { LibvirtFailureKind } from './failures';
export { checkName, LibvirtHypervisor, OperationFailure, randomMac } from './hypervisor';
export type { Approval, ExecuteOptions, Hypervisor, HypervisorOperation, HypervisorOperationKind, LibvirtHypervisorOptions, OperationPlan, OperationResult, PlanDocument } from './hypervisor';
export { displayWord, LocalVirshRunner, SshVirshRunner, VIRSH_DEFAULTS } from './runner';
export type { SshVirshOptions, VirshRunner, VirshRunOptions } from './runner';
export type { DomainDisk, DomainInfo, DomainNic, DomainSnapshotInfo, DomainState, HypervisorInventory, NetworkInfo, StoragePoolInfo, StorageVolumeInfo } from './types';
