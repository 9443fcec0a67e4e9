import { request as httpRequest } from 'node:http';
import type { NetcaseApi } from '../../../preload/api.js';
import { expect, test } from './harness/harness.js';

type NetcaseWindow = { netcase: NetcaseApi };

/** Sends one request to the harness from Node, with headers a browser would not let a page set. */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

test.describe('browser harness', () => {
  test('bridge exposes the contract to the page', async ({ harness, page }) => {
    await page.goto(harness.url);
    const version = await page.evaluate(() => (window as unknown as NetcaseWindow).netcase.app.version({}));
    expect(version).toEqual({ version: '0.0.0-harness' });
  });

  test('bridge rejects with the handler error', async ({ harness, page }) => {
    await page.goto(harness.url);
    const error = await page.evaluate(() => (window as unknown as NetcaseWindow).netcase.cases.info({}).then(() => null, (failure: unknown) => failure));
    expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'No case is open. Create or open a case first.' });
  });

  test('page keeps the app CSP but connect-src', async ({ harness }) => {
    const response = await send(harness.url, {});
    expect(response.status).toBe(200);
    expect(response.body).toContain("connect-src 'self'");
    expect(response.body).not.toContain("connect-src 'none'");
    expect(response.body).toContain("script-src 'self'");
    expect(response.body.indexOf('./__harness/bridge.js')).toBeLessThan(response.body.indexOf('./assets/'));
  });

  test('requests without the token are rejected', async ({ harness }) => {
    const json = { 'Content-Type': 'application/json' };
    const noPathToken = await send(new URL('/__harness/call/app.version', harness.url).href, { method: 'POST', headers: json, body: '{}' });
    expect(noPathToken.status).toBe(403);
    const noHeaderToken = await send(new URL('__harness/call/app.version', harness.url).href, { method: 'POST', headers: json, body: '{}' });
    expect(noHeaderToken.status).toBe(403);
    const pageWithoutToken = await send(new URL('/index.html', harness.url).href, {});
    expect(pageWithoutToken.status).toBe(403);
    const events = await send(new URL('/0/__harness/events', harness.url).href, {});
    expect(events.status).toBe(403);
    const pageWithToken = await send(harness.url, {});
    expect(pageWithToken.status).toBe(200);
  });

  test('foreign Host or Origin is rejected', async ({ harness }) => {
    const port = new URL(harness.url).port;
    const otherHost = await send(harness.url, { headers: { Host: `localhost:${port}` } });
    expect(otherHost.status).toBe(421);
    const otherOrigin = await send(harness.url, { headers: { Origin: `http://localhost:${port}` } });
    expect(otherOrigin.status).toBe(403);
  });

  test('queued dialog answers reach the page', async ({ harness, page }) => {
    await page.goto(harness.url);
    await harness.queueDialog('add-captures', ['/tmp/first.pcap', '/tmp/second.pcap']);
    const names = await page.evaluate(async () => {
      const api = (window as unknown as NetcaseWindow).netcase;
      const first = await api.dialogs.choose({ purpose: 'add-captures' });
      const second = await api.dialogs.choose({ purpose: 'add-captures' });
      return [first.files.map((file) => file.name), second.files.length];
    });
    expect(names).toEqual([['first.pcap', 'second.pcap'], 0]);
  });

  test('app commands reach page listeners', async ({ harness, page }) => {
    await page.goto(harness.url);
    await page.evaluate(() => {
      const received: unknown[] = [];
      (window as unknown as { received: unknown[] }).received = received;
      (window as unknown as NetcaseWindow).netcase.app.onCommand((command) => received.push(command));
    });
    // sendCommand waits for the page's event stream, so no call is needed first.
    await harness.sendCommand({ command: 'find' });
    await expect.poll(() => page.evaluate(() => (window as unknown as { received: unknown[] }).received)).toEqual([{ command: 'find' }]);
  });
});
