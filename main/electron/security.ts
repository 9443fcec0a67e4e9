import { app, session, type WebContents } from 'electron';
import { log } from '../log.js';
import { isAppUrl } from './window-options.js';

const logger = log.scope('security');

/**
 * Locks down every web page of the app: permission requests and checks are denied, requests
 * to anything but the app's own scheme (and the page's data:, blob: and devtools: URLs) are
 * cancelled, so the app makes no network request, and navigation, new windows and <webview>
 * tags are blocked.
 */
export function hardenSessions(): void {
  const appSession = session.defaultSession;
  appSession.setPermissionRequestHandler((_contents, permission, callback) => {
    logger.warn({ permission }, 'permission request denied');
    callback(false);
  });
  appSession.setPermissionCheckHandler(() => false);
  appSession.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAppUrl(details.url) || /^(devtools|data|blob):/.test(details.url);
    if (!allowed) logger.warn({ url: details.url }, 'request blocked');
    callback({ cancel: !allowed });
  });

  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
}

function hardenContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    logger.warn({ url }, 'window.open blocked');
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url) && url === contents.getURL()) return;
    logger.warn({ url }, 'navigation blocked');
    event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    logger.warn({ url }, 'redirect blocked');
    event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    logger.warn('webview blocked');
    event.preventDefault();
  });
}
