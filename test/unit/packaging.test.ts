import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_DIR } from '../helpers/cli.js';

const require = createRequire(import.meta.url);
const { load } = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as { validateConfiguration(config: unknown, logger: unknown): Promise<void> };
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

interface FileSet {
  from: string;
  to: string;
  filter?: string[];
}

interface BuilderConfig {
  asar: boolean;
  asarUnpack: string[];
  extraResources: FileSet[];
  electronFuses: Record<string, boolean>;
  linux: { target: string[]; extraResources: FileSet[] };
  win: { target: { target: string }[]; extraResources: FileSet[] };
  mac: { target: { target: string }[]; extraResources: FileSet[] };
}

const config = load(readFileSync(resolve(REPO_DIR, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('passes electron-builder schema validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('builds every installer', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target.map((target) => target.target)).toEqual(['nsis']);
    expect(config.mac.target.map((target) => target.target)).toEqual(['dmg']);
  });

  it('sets the security fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('keeps native modules and resources outside the asar', () => {
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('node_modules/better-sqlite3/**');
    expect(config.extraResources).toContainEqual({ from: 'resources/rules', to: 'rules' });
    expect(config.extraResources).toContainEqual({ from: 'resources/fonts', to: 'fonts' });
    expect(config.extraResources.find((set) => set.to === 'zeek')?.filter).toContain('netcase-site.zeek');
  });

  it('bundles Zeek per platform where the app looks for it', () => {
    // main/engines/zeek.ts runs process.resourcesPath/zeek/<process.platform>-<process.arch>/bin/zeek.
    expect(config.linux.extraResources).toEqual([{ from: 'resources/zeek/linux-${arch}', to: 'zeek/linux-${arch}' }]);
    expect(config.win.extraResources).toEqual([{ from: 'resources/zeek/win32-${arch}', to: 'zeek/win32-${arch}' }]);
    expect(config.mac.extraResources).toEqual([{ from: 'resources/zeek/darwin-${arch}', to: 'zeek/darwin-${arch}' }]);
  });

  it('npm run dist runs electron-builder', () => {
    const scripts = (JSON.parse(readFileSync(resolve(REPO_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.dist).toContain('electron-builder --config electron-builder.yml');
  });
});
