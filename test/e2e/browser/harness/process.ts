import type { HarnessRequest } from './harness.js';
import { startHarnessServer } from './server.js';

/**
 * Entry of the harness process, which harness.ts starts with tsx. Arguments: the built
 * renderer folder and a private root folder. It reports `{ type: 'ready', url }` on the IPC
 * channel and then handles each `{ id, op, ... }` request from the Playwright side with
 * `{ id, ok, error? }`. It stops when asked or when the parent disconnects.
 */

const [rendererDir, root] = process.argv.slice(2);
if (rendererDir === undefined || root === undefined || process.send === undefined) {
  process.stderr.write('Usage: started by test/e2e/browser/harness/harness.ts with an IPC channel: process.ts RENDERER_DIR ROOT_DIR\n');
  process.exit(2);
}
const send = process.send.bind(process);

const server = await startHarnessServer({ rendererDir, root });

process.on('message', (message: HarnessRequest) => {
  void handle(message);
});
process.on('disconnect', () => {
  void server.close().then(() => process.exit(0));
});
send({ type: 'ready', url: server.url });

async function handle(request: HarnessRequest): Promise<void> {
  try {
    if (request.op === 'queueDialog') server.dialogs.queue(request.purpose, request.paths);
    else if (request.op === 'registerDrop') server.registerDrop(request.name, request.path);
    else if (request.op === 'command') await server.sendCommand(request.command);
    else if (request.op === 'openCaptures') await server.openCaptures(request.paths);
    else await server.close();
    send({ id: request.id, ok: true });
  } catch (error) {
    send({ id: request.id, ok: false, error: String(error) });
  }
  if (request.op === 'stop') process.exit(0);
}
