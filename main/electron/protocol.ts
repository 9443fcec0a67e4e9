import { readFile } from 'node:fs/promises';
import { extname, relative, resolve, sep } from 'node:path';
import { protocol } from 'electron';
import { log } from '../log.js';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY_HEADER } from './window-options.js';

const logger = log.scope('protocol');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

/**
 * Makes the app scheme a secure, standard origin; must run before the app is ready. Module
 * scripts are fetched in CORS mode, hence corsEnabled and supportFetchAPI; the CSP's
 * connect-src 'none' still blocks fetch() from the page.
 */
export function registerAppScheme(): void {
  // NOTE: the window has not been launched in this repository's CI (no Electron binary), so
  // these privileges are taken from Electron's protocol documentation, not from a run.
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
}

/**
 * Serves the built renderer from `rendererDir` on the app scheme, with the CSP as a response
 * header. Requests for other hosts or for paths outside the folder get 404.
 */
export function serveRenderer(rendererDir: string): void {
  const root = resolve(rendererDir);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    let file: string;
    try {
      file = resolve(root, `.${decodeURIComponent(url.pathname)}`);
    } catch {
      return notFound(request.url);
    }
    const inside = relative(root, file);
    if (url.host !== APP_HOST || inside.startsWith(`..${sep}`) || inside === '..') return notFound(request.url);

    try {
      const body = await readFile(file);
      return new Response(body, {
        headers: {
          'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
          'Content-Security-Policy': CONTENT_SECURITY_POLICY_HEADER,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return notFound(request.url);
    }
  });
}

function notFound(url: string): Response {
  logger.warn({ url }, 'renderer file not found');
  return new Response('Not found', { status: 404, headers: { 'Content-Security-Policy': CONTENT_SECURITY_POLICY_HEADER } });
}
