import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/**
 * Security settings of the app window, kept free of runtime Electron imports so tests can
 * check them without starting Electron.
 */

/** Scheme the renderer is served from (see protocol.ts); the only origin the app trusts. */
export const APP_SCHEME = 'netcase';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Content-Security-Policy of every renderer response, sent as a header and repeated in
 * index.html's meta tag. Only the app's own scripts run, nothing is fetched from the network, and no
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
].join('; ');

/** The policy as a response header. Browsers ignore frame-ancestors in a meta tag, so only the header carries it. */
export const CONTENT_SECURITY_POLICY_HEADER = `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`;

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

/**
 * True for URLs the window may show: the app's own pages only. Scheme and host are compared
 * because Node's URL gives a custom scheme the origin "null".
 */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}
