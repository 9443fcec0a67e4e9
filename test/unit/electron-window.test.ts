import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_HEADER, isAppUrl, webPreferences, windowOptions } from '../../main/electron/window-options.js';
import { REPO_DIR } from '../helpers/cli.js';

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

describe('window security settings', () => {
  it('web preferences isolate the renderer', () => {
    const preferences = webPreferences('/app/preload/index.cjs');
    expect(preferences.contextIsolation).toBe(true);
    expect(preferences.sandbox).toBe(true);
    expect(preferences.nodeIntegration).toBe(false);
    expect(preferences.nodeIntegrationInWorker).toBe(false);
    expect(preferences.nodeIntegrationInSubFrames).toBe(false);
    expect(preferences.webSecurity).toBe(true);
    expect(preferences.allowRunningInsecureContent).toBe(false);
    expect(preferences.webviewTag).toBe(false);
    expect(preferences.navigateOnDragDrop).toBe(false);
    expect(preferences.preload).toBe('/app/preload/index.cjs');
  });

  it('window uses the web preferences', () => {
    expect(windowOptions('/p.cjs').webPreferences).toEqual(webPreferences('/p.cjs'));
  });

  it('CSP allows only the app itself', () => {
    const policy = directives(CONTENT_SECURITY_POLICY_HEADER);
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('script-src')).toEqual(["'self'"]);
    expect(policy.get('connect-src')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect(policy.get('frame-src')).toEqual(["'none'"]);
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'none'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    for (const [name, values] of policy) {
      expect(values, name).not.toContain("'unsafe-eval'");
      expect(values.some((value) => /^(https?:|\*)/.test(value)), name).toBe(false);
    }
  });

  it('header adds frame-ancestors only', () => {
    expect(CONTENT_SECURITY_POLICY_HEADER).toBe(`${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`);
  });

  it('index.html repeats the CSP', () => {
    const html = readFileSync(resolve(REPO_DIR, 'renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(CONTENT_SECURITY_POLICY);
  });

  it('only app URLs count as the app', () => {
    expect(isAppUrl(`${APP_ORIGIN}/index.html`)).toBe(true);
    expect(isAppUrl('https://example.com/')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('netcase://other/index.html')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});
