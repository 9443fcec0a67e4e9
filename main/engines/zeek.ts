import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NetcaseError } from '../errors.js';
import type { Engine, EngineRunOptions, EngineRunResult } from './engine.js';
import { runEngineProcess } from './engine-process.js';

const execFileAsync = promisify(execFile);

/** Location kinds of a Zeek program, in the order discovery tries them. */
export type ZeekSource = 'bundled' | 'configured' | 'path';

export interface ZeekLocation {
  executable: string;
  source: ZeekSource;
  /**
   * Installation prefix of a bundled Zeek (the folder holding bin/, lib/ and share/). Set only
   * for the bundled copy, because it is relocated and needs ZEEKPATH and the plugin path.
   */
  prefix?: string;
}

export interface FindZeekOptions {
  /** Folder holding `<platform>-<arch>/bin/zeek`; defaults to the app's `resources/zeek`. */
  resourcesDir?: string;
  /** Path set by the user (a setting); NETCASE_ZEEK in `env` is used when this is unset. */
  configuredPath?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ZeekSearch {
  found?: ZeekLocation;
  /** Each place looked at, with what was there, for messages and the stored choice reason. */
  tried: string[];
}

/** Name of our site policy in resources/zeek, loaded instead of Zeek's own site/local.zeek. */
export const SITE_POLICY_FILE = 'netcase-site.zeek';


/**
 * Finds a Zeek program: the copy bundled with the app first, then the configured path (a
 * setting, or the NETCASE_ZEEK environment variable), then `zeek` on PATH.
 */
export function findZeek(options: FindZeekOptions = {}): ZeekSearch {
  const env = options.env ?? process.env;
  const tried: string[] = [];
  const programName = process.platform === 'win32' ? 'zeek.exe' : 'zeek';

  const resourcesDir = options.resourcesDir ?? defaultResourcesDir();
  if (resourcesDir) {
    const prefix = join(resourcesDir, `${process.platform}-${process.arch}`);
    const bundled = join(prefix, 'bin', programName);
    if (isExecutableFile(bundled)) return { found: { executable: bundled, source: 'bundled', prefix }, tried: [...tried, `bundled ${bundled}`] };
    tried.push(`bundled ${bundled} (missing)`);
  } else {
    tried.push('bundled (no resources/zeek folder)');
  }

  const configured = options.configuredPath ?? env.NETCASE_ZEEK;
  if (configured) {
    const path = resolve(configured);
    if (isExecutableFile(path)) return { found: { executable: path, source: 'configured' }, tried: [...tried, `configured ${path}`] };
    tried.push(`configured ${path} (${existsSync(path) ? 'not an executable file' : 'missing'})`);
  } else {
    tried.push('configured path (not set; set NETCASE_ZEEK)');
  }

  for (const folder of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(folder, programName);
    if (isExecutableFile(candidate)) return { found: { executable: candidate, source: 'path' }, tried: [...tried, `PATH ${candidate}`] };
  }
  tried.push('zeek on PATH (not found)');
  return { tried };
}

/** Creates the Zeek engine, which runs a Zeek program over the capture and leaves JSON logs in the output folder. */
export function createZeekEngine(location: ZeekLocation | string): Engine {
  const zeek: ZeekLocation = typeof location === 'string' ? { executable: location, source: 'configured' } : location;
  const policyPath = sitePolicyPath();

  return {
    name: 'zeek',
    executable: zeek.executable,

    async version() {
      try {
        const { stdout, stderr } = await execFileAsync(zeek.executable, ['--version'], { env: zeekEnvironment(zeek), timeout: 15_000, windowsHide: true });
        const text = (stdout || stderr).trim().split('\n')[0] ?? '';
        if (text === '') throw new Error('it printed nothing');
        return text;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') throw new NetcaseError('NOT_FOUND', `Zeek not found at ${zeek.executable}. Install Zeek, set NETCASE_ZEEK to its path, or use --engine tshark.`);
        throw new NetcaseError('ENGINE', `Cannot read the version of ${zeek.executable}: ${(error as Error).message.trim()}. Check that it is a working Zeek installation.`, { cause: error });
      }
    },

    async run(options: EngineRunOptions): Promise<EngineRunResult> {
      const args = zeekArguments(policyPath, options.allowBadChecksums);
      const result = await runEngineProcess({
        executable: zeek.executable,
        args,
        cwd: options.outputDir,
        env: zeekEnvironment(zeek),
        stdinCapture: options.capturePath,
        signal: options.signal,
        onProgress: options.onProgress,
        timeoutMs: options.timeoutMs,
      });
      const warnings = result.stderr
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '');
      if (result.stderrTruncated) warnings.push('Zeek wrote more to stderr than the run record keeps; the rest was dropped.');
      return { commandLine: [zeek.executable, ...args], exitCode: result.exitCode, stderr: result.stderr, warnings, logFiles: listLogFiles(options.outputDir) };
    },
  };
}

/**
 * Arguments of a Zeek run: the capture on stdin, JSON logs, and our site policy in place of
 * site/local.zeek. Without `-b`, Zeek loads its base scripts, which hold every protocol
 * analyzer and log this app reads. `-C` makes Zeek accept packets with bad checksums.
 */
// NOTE: these arguments and the site policy are checked against a test double only, because
// real Zeek is not installed on the build machines.
export function zeekArguments(policyPath: string, allowBadChecksums: boolean): string[] {
  return ['-r', '-', ...(allowBadChecksums ? ['-C'] : []), 'LogAscii::use_json=T', policyPath];
}

/**
 * Environment of a Zeek run. ZEEK_DNS_FAKE stops Zeek from resolving host names (also those
 * written in scripts), so a run never contacts a DNS server. A bundled, relocated Zeek gets
 * ZEEKPATH and the plugin path of its own prefix, because the paths compiled into it point
 * at the build machine.
 */
export function zeekEnvironment(zeek: ZeekLocation, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ZEEK_DNS_FAKE: '1' };
  if (zeek.prefix) {
    const share = join(zeek.prefix, 'share', 'zeek');
    env.ZEEKPATH = [share, join(share, 'policy'), join(share, 'site'), join(share, 'builtin-plugins')].join(delimiter);
    env.ZEEK_PLUGIN_PATH = join(zeek.prefix, 'lib', 'zeek', 'plugins');
    env.ZEEK_SPICY_MODULE_PATH = join(zeek.prefix, 'lib', 'zeek', 'spicy');
  }
  return env;
}

/** Absolute path of our site policy. Zeek loads a script given by absolute path without ZEEKPATH. */
export function sitePolicyPath(resourcesDir = defaultResourcesDir()): string {
  if (!resourcesDir) throw new NetcaseError('INTERNAL', `The Netcase resources folder (resources/zeek with ${SITE_POLICY_FILE}) was not found next to the app.`);
  const path = join(resourcesDir, SITE_POLICY_FILE);
  if (!existsSync(path)) throw new NetcaseError('INTERNAL', `The Zeek site policy ${path} is missing. Reinstall Netcase.`);
  return path;
}

/**
 * Finds the app's `resources/zeek` folder. A packaged Electron app keeps it beside app.asar in
 * `process.resourcesPath`. From sources or the built CLI, the search walks up from this module
 * to the folder that contains package.json.
 */
export function defaultResourcesDir(): string | undefined {
  const packaged = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (packaged && existsSync(join(packaged, 'zeek', SITE_POLICY_FILE))) return join(packaged, 'zeek');

  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    if (existsSync(join(dir, 'package.json'))) {
      const candidate = join(dir, 'resources', 'zeek');
      return existsSync(candidate) ? candidate : undefined;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function listLogFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.log') && statSync(join(dir, name)).isFile())
    .sort()
    .map((name) => join(dir, name));
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(realpathSync(path)).isFile()) return false;
    if (process.platform !== 'win32') accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}
