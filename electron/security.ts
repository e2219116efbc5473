import type { WebPreferences } from 'electron';

/** The renderer is served from this origin only; nothing else may call the contract. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'stagecraft';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** No Node in the renderer, an isolated world for the preload, and Chromium's sandbox. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** A contract call is accepted only from the main frame of a page of our own app:// origin. */
export function isTrustedSender(frame: { url: string; parent: unknown } | null | undefined): boolean {
  if (!frame || frame.parent !== null) return false;
  try {
    const url = new URL(frame.url);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Navigation may only stay on our own origin; everything else is refused. */
export const isAllowedNavigation = (target: string): boolean => {
  try {
    return new URL(target).origin === APP_ORIGIN || new URL(target).href.startsWith(`${APP_ORIGIN}/`);
  } catch {
    return false;
  }
};
