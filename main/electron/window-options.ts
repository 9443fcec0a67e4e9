import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/**
 * Security settings of the app window, kept free of runtime Electron imports so tests can
 * check them without starting Electron.
 */

/** Scheme the renderer is served from (see protocol.ts); the only origin the app trusts. */
export const APP_SCHEME = 'netcase';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Content-Security-Policy of every renderer response, sent as a header and repeated in
 * index.html. Only the app's own scripts run, nothing is fetched from the network, and no
 * page may be framed, posted to or used as a base. `style-src 'unsafe-inline'` is needed by
 * Vue's style bindings; the inline styles cannot run code.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function webPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Netcase',
    show: false,
    webPreferences: webPreferences(preloadPath),
  };
}

/** True for URLs the window may show: the app's own pages only. */
export function isAppUrl(url: string): boolean {
  try {
    return new URL(url).origin === APP_ORIGIN;
  } catch {
    return false;
  }
}
