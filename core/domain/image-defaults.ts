import type { ImageGovernance } from './image';

/** What a new image governs unless the user narrows it: everything but mounts, which follow disk layout more than configuration. */
export const DEFAULT_GOVERNANCE: ImageGovernance = Object.freeze({
  categories: ['os', 'packages', 'services', 'ports', 'sysctl', 'users', 'groups', 'cron', 'files'],
  paths: ['/**'],
}) as ImageGovernance;
