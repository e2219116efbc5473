/** The one IPC channel that carries pushed events (job progress, workspace changes) to the renderer. */
export const EVENT_CHANNEL = 'stagecraft:event';
