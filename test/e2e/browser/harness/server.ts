import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, resolve, sep } from 'node:path';
import { CHANNELS, type AppCommand, type Channel, type DialogPurpose, type IpcReply, type JobEvent } from '../../../../preload/api.js';
import { CONTENT_SECURITY_POLICY_HEADER } from '../../../../main/electron/window-options.js';
import { grantOpenedFiles, type Dialogs } from '../../../../main/ipc/handlers.js';
import { createIpcHandlers, type IpcHandlers } from '../../../../main/ipc/ipc-handlers.js';
import { RecentCases } from '../../../../main/ipc/recent-cases.js';
import { createServices } from '../../../../main/services.js';

/**
 * The browser test harness: serves the built renderer on 127.0.0.1 and gives the page a
 * `window.netcase` (bridge.js) whose calls reach the real IPC handler layer over HTTP. Test
 * code only; the app never ships it.
 */

/**
 * Prefix of the bridge's own routes, after the token; everything else is a file of the built
 * renderer. Every URL starts with `/<token>/`: the page is served from there and loads its
 * assets and bridge routes by relative URLs, so every request carries the token.
 */
const ROUTE_PREFIX = '/__harness/';
const TOKEN_HEADER = 'x-netcase-harness-token';
/** Maximum wait for a page's event stream before a command is sent, in milliseconds. */
const STREAM_WAIT_MS = 10_000;
/** Largest request body accepted, in bytes. Contract inputs are small JSON objects. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

// The app's CSP forbids fetch() (connect-src 'none'). The bridge needs exactly one relaxation,
// which allows fetch() and EventSource to the harness's own origin, so connect-src becomes 'self'. The
// bridge itself is a same-origin script file, which script-src 'self' already allows.
const APP_CONNECT_SRC = "connect-src 'none'";
const BRIDGE_CONNECT_SRC = "connect-src 'self'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

export interface HarnessServerOptions {
  /** The built renderer, `out/renderer`. */
  rendererDir: string;
  /** A private folder: the recent-cases list is kept here. */
  root: string;
}

/** A dialog stand-in: each `choose` returns the next path list queued for its purpose, or nothing (cancelled). */
export class QueuedDialogs implements Dialogs {
  readonly #queues = new Map<DialogPurpose, string[][]>();

  queue(purpose: DialogPurpose, paths: string[]): void {
    const queue = this.#queues.get(purpose) ?? [];
    queue.push(paths);
    this.#queues.set(purpose, queue);
  }

  async choose(purpose: DialogPurpose): Promise<string[]> {
    const paths = this.#queues.get(purpose)?.shift();
    if (paths === undefined) {
      process.stderr.write(`[harness] a ${purpose} dialog opened with no answer queued; it returns nothing, as if cancelled\n`);
      return [];
    }
    return paths;
  }
}

export interface HarnessServer {
  url: string;
  dialogs: QueuedDialogs;
  /** Makes a drop of a file called `name` stand for `path`, because browser `File` objects carry no path. */
  registerDrop(name: string, path: string): void;
  /**
   * Sends an app command (a menu item, files opened from the system) to every open page. Waits
   * until a page has opened its event stream, so a command sent right after page load arrives.
   */
  sendCommand(command: AppCommand): Promise<void>;
  /** Grants captures and offers them to the page, as the app does with files the system opens it with. */
  openCaptures(paths: string[]): Promise<void>;
  close(): Promise<void>;
}

/** Starts the harness on 127.0.0.1 on a free port. */
export async function startHarnessServer(options: HarnessServerOptions): Promise<HarnessServer> {
  const rendererDir = resolve(options.rendererDir);
  const indexHtml = readFileSync(join(rendererDir, 'index.html'), 'utf8');
  const token = randomBytes(32).toString('hex');
  const dialogs = new QueuedDialogs();
  const drops = new Map<string, string>();
  const streams = new Set<ServerResponse>();

  const broadcast = (event: 'job' | 'command', payload: JobEvent | AppCommand) => {
    const text = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const stream of streams) stream.write(text);
  };

  const { handlers, session } = createIpcHandlers({
    services: createServices('netcase-browser-harness'),
    dialogs,
    recent: new RecentCases(join(options.root, 'recent-cases.json')),
    emitJobEvent: (event) => broadcast('job', event),
    version: '0.0.0-harness',
  });

  const context: RequestContext = { rendererDir, indexHtml, token, handlers, drops, streams, origin: '' };
  const server = createServer((request, response) => {
    handleRequest(context, request, response).catch((error: unknown) => {
      process.stderr.write(`[harness] ${request.method} ${request.url} failed: ${String(error)}\n`);
      if (!response.headersSent) sendText(response, 500, 'Harness error; see its stderr.');
      else response.end();
    });
  });
  await listen(server);
  const { port } = server.address() as AddressInfo;
  context.origin = `http://127.0.0.1:${port}`;

  return {
    url: `${context.origin}/${token}/index.html`,
    dialogs,
    registerDrop: (name, path) => drops.set(name, resolve(path)),
    sendCommand: async (command) => {
      await waitForStream(streams);
      broadcast('command', command);
    },
    openCaptures: async (paths) => {
      await waitForStream(streams);
      broadcast('command', { command: 'captures-opened', files: grantOpenedFiles(session, paths) });
    },
    close: async () => {
      for (const stream of streams) stream.end();
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeAllConnections();
      await closed;
    },
  };
}

interface RequestContext {
  rendererDir: string;
  indexHtml: string;
  token: string;
  handlers: IpcHandlers;
  drops: Map<string, string>;
  streams: Set<ServerResponse>;
  /** `http://127.0.0.1:<port>`, set once the server listens. */
  origin: string;
}

async function handleRequest(context: RequestContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  // A page on another origin, or a host name rebound to 127.0.0.1, must not reach the bridge.
  if (request.headers.host !== context.origin.slice('http://'.length)) return sendText(response, 421, `Host must be ${context.origin}.`);
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== context.origin) return sendText(response, 403, `Origin ${origin} is not the harness origin ${context.origin}.`);

  const url = new URL(request.url ?? '/', context.origin);
  const [, pathToken = '', ...rest] = url.pathname.split('/');
  if (!tokenMatches(context.token, pathToken)) return sendText(response, 403, 'Missing or wrong harness token in the path.');
  const pathname = `/${rest.join('/')}`;
  if (!pathname.startsWith(ROUTE_PREFIX)) return serveFile(context, pathname, request, response);

  const route = pathname.slice(ROUTE_PREFIX.length);
  if (route === 'bridge.js') return serveBridge(context, response);
  if (route === 'events') return openEventStream(context, request, response);

  // Calls also carry the token in a header, which a page on another origin cannot set without CORS.
  if (request.method !== 'POST') return sendText(response, 405, `${pathname} takes POST.`);
  if (!tokenMatches(context.token, headerValue(request.headers[TOKEN_HEADER]))) return sendText(response, 403, 'Missing or wrong harness token.');
  if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return sendText(response, 415, 'Send the input as application/json.');
  let input: unknown;
  try {
    input = JSON.parse(await readBody(request));
  } catch (error) {
    return sendText(response, 400, `The request body is not JSON: ${String(error)}`);
  }

  if (route === 'drop') return sendJson(response, await addDropped(context, input));
  if (route.startsWith('call/')) {
    const channel = route.slice('call/'.length);
    if (!(CHANNELS as string[]).includes(channel)) return sendText(response, 404, `${channel} is not a contract method.`);
    return sendJson(response, await context.handlers[channel as Channel](input));
  }
  return sendText(response, 404, `${pathname} is not a harness route.`);
}

/** Turns the names of dropped files into the paths the spec registered, then calls `evidence.addDropped`. */
async function addDropped(context: RequestContext, input: unknown): Promise<IpcReply<unknown>> {
  const names = (input as { names?: unknown } | null)?.names;
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string')) {
    return { ok: false, error: { code: 'INVALID_ARGUMENT', message: 'The harness drop route takes { names: string[] }.' } };
  }
  const paths: string[] = [];
  for (const name of names as string[]) {
    const path = context.drops.get(name);
    if (path === undefined) return { ok: false, error: { code: 'NOT_FOUND', message: `No path is registered for the dropped file ${name}. Call registerDrop(name, path) before the drop.` } };
    paths.push(path);
  }
  return context.handlers['evidence.addDropped']({ paths });
}

function openEventStream(context: RequestContext, request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
  // The comment line makes the browser see the stream open, so the bridge can start sending calls.
  response.write(': connected\n\n');
  context.streams.add(response);
  request.on('close', () => context.streams.delete(response));
}

/** Serves bridge.js with the token and the contract's channel names written at its top. */
function serveBridge(context: RequestContext, response: ServerResponse): void {
  const bridge = readFileSync(new URL('./bridge.js', import.meta.url), 'utf8');
  const config = `const HARNESS_CONFIG = ${JSON.stringify({ token: context.token, channels: CHANNELS, tokenHeader: TOKEN_HEADER })};\n`;
  response.writeHead(200, { 'Content-Type': CONTENT_TYPES['.js']!, 'Cache-Control': 'no-store' });
  response.end(config + bridge);
}

async function serveFile(context: RequestContext, pathname: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, `${pathname} takes GET.`);
  const csp = harnessCsp(CONTENT_SECURITY_POLICY_HEADER);
  if (pathname === '/' || pathname === '/index.html') {
    response.writeHead(200, { 'Content-Type': CONTENT_TYPES['.html']!, 'Content-Security-Policy': csp, 'Cache-Control': 'no-store' });
    response.end(harnessIndexHtml(context.indexHtml));
    return;
  }

  const file = resolve(context.rendererDir, `.${decodeURIComponent(pathname)}`);
  const inside = relative(context.rendererDir, file);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`)) return sendText(response, 404, `${pathname} was not found.`);
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    return sendText(response, 404, `${pathname} was not found.`);
  }
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(body);
}

/** Relaxes the CSP of the app's index.html for the bridge and inserts the bridge script before the app's script. */
export function harnessIndexHtml(html: string): string {
  const scriptAt = html.indexOf('<script');
  if (scriptAt < 0) throw new Error('The built index.html has no <script> tag; rebuild the renderer.');
  const withBridge = `${html.slice(0, scriptAt)}<script src=".${ROUTE_PREFIX}bridge.js"></script>\n    ${html.slice(scriptAt)}`;
  return harnessCsp(withBridge);
}

/** Replaces the app's connect-src in a CSP or a page containing one. Throws when the app's CSP no longer has it. */
export function harnessCsp(text: string): string {
  if (!text.includes(APP_CONNECT_SRC)) throw new Error(`The app's CSP no longer contains "${APP_CONNECT_SRC}"; update the harness's CSP change.`);
  return text.replaceAll(APP_CONNECT_SRC, BRIDGE_CONNECT_SRC);
}

/** Resolves once a page has the event stream open; rejects after `timeoutMs`. */
async function waitForStream(streams: Set<ServerResponse>, timeoutMs = STREAM_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (streams.size === 0) {
    if (Date.now() > deadline) throw new Error(`No page opened the harness event stream within ${timeoutMs} ms; open harness.url first.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function tokenMatches(expected: string, received: string | null | undefined): boolean {
  if (typeof received !== 'string' || received.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(received), Buffer.from(expected));
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(response: ServerResponse, value: unknown): void {
  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  response.end(JSON.stringify(value));
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}

function listen(server: Server): Promise<void> {
  return new Promise((done, fail) => {
    server.once('error', fail);
    // Port 0: the system picks a free port, so parallel harnesses never collide.
    server.listen(0, '127.0.0.1', () => done());
  });
}
