import type { View } from '../store/index';

/**
 * The views of a workspace, in the order of their shortcut (Ctrl/Cmd+1…5): the top bar's tabs, the
 * shortcuts and the sidebar's entries are made from this one list. `section` is the sidebar group a
 * view is listed in (the lifecycle and overview are reached from the services themselves).
 */
export const VIEWS: readonly { view: View; label: string; section?: 'Infrastructure' | 'Change control' }[] = [
  { view: 'lifecycle', label: 'Lifecycle' },
  { view: 'overview', label: 'All services' },
  { view: 'hypervisors', label: 'Hypervisors', section: 'Infrastructure' },
  { view: 'assets', label: 'Assets', section: 'Infrastructure' },
  { view: 'changes', label: 'Changes', section: 'Change control' },
];

/** The view a Ctrl/Cmd+digit opens, if any. */
export const viewOfKey = (key: string): View | undefined => VIEWS[Number(key) - 1]?.view;

export const shortcutOf = (view: View) => `Ctrl+${VIEWS.findIndex((v) => v.view === view) + 1}`;
