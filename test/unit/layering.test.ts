import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_DIR } from '../helpers/cli.js';

// The layering rules: do not relax them. Only main/electron talks to Electron, the renderer
// reaches the core only through window.netcase, and the preload carries only the contract.

const SOURCE_EXTENSIONS = /\.(ts|mts|cts|js|mjs|vue)$/;
const IMPORT_PATTERN = /(?:^|[^\w$.])(?:import|export)\s+(?:type\s+)?(?:[\w$*{}\s,]+\s+from\s+)?['"]([^'"]+)['"]|(?:^|[^\w$.])(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

function sourceFiles(folder: string): string[] {
  return readdirSync(join(REPO_DIR, folder), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && SOURCE_EXTENSIONS.test(entry.name))
    .map((entry) => relative(REPO_DIR, join(entry.parentPath, entry.name)));
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(REPO_DIR, file), 'utf8');
  return [...text.matchAll(IMPORT_PATTERN)].map((match) => match[1] ?? match[2]!);
}

function violations(files: string[], forbidden: (specifier: string, file: string) => boolean): string[] {
  return files.flatMap((file) => importsOf(file).filter((specifier) => forbidden(specifier, file)).map((specifier) => `${file} imports ${specifier}`));
}

describe('layering', () => {
  it('finds imports in the scanned sources', () => {
    expect(importsOf('main/electron/main.ts')).toContain('electron');
    expect(importsOf('preload/index.ts')).toContain('./api.js');
  });

  it('electron imported only in main/electron', () => {
    const files = [...sourceFiles('main'), ...sourceFiles('test'), ...sourceFiles('renderer')].filter((file) => !file.startsWith('main/electron/'));
    expect(violations(files, (specifier) => specifier === 'electron' || specifier.startsWith('electron/'))).toEqual([]);
  });

  it('renderer imports neither main nor Node', () => {
    const files = sourceFiles('renderer');
    expect(violations(files, (specifier) => NODE_BUILTINS.has(specifier) || /(^|\/)main\//.test(specifier) || specifier === 'electron')).toEqual([]);
  });

  it('preload imports only the contract and zod', () => {
    const allowed = (specifier: string, file: string) => specifier === './api.js' || specifier === 'zod' || (specifier === 'electron' && file === 'preload/index.ts');
    expect(violations(sourceFiles('preload'), (specifier, file) => !allowed(specifier, file))).toEqual([]);
  });
});
