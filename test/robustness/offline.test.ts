import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_DIR } from '../helpers/cli.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

const BIN = resolve(REPO_DIR, 'bin/netcase.js');
const PASSPHRASE = 'offline test passphrase';

/** Runs the built CLI inside a new network namespace, which has no interface but a loopback that is down. */
function runOffline(args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync('unshare', ['--net', process.execPath, BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NETCASE_P12_PASSPHRASE: PASSPHRASE },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status ?? -1, stdout: result.stdout ?? '', stderr: result.stderr ?? String(result.error ?? '') };
}

/** Returns why `unshare --net` cannot run here, or null when it can. */
function unshareRefusal(): string | null {
  const probe = spawnSync('unshare', ['--net', 'cat', '/proc/net/dev'], { encoding: 'utf8' });
  if (probe.error) return `unshare is not available (${probe.error.message}); install util-linux`;
  if (probe.status !== 0) return `unshare --net was refused (${probe.stderr.trim()}); it needs root or user namespaces`;
  const interfaces = probe.stdout.split('\n').slice(2).map((line) => line.split(':')[0]!.trim()).filter((name) => name !== '');
  if (interfaces.join(',') !== 'lo') return `the new namespace still lists interfaces ${interfaces.join(', ')}`;
  return null;
}

describeWithShared('offline pipeline', () => {
  it('full pipeline runs without network', (context) => {
    const refusal = unshareRefusal();
    if (refusal) {
      console.warn(`Skipping the offline pipeline test: ${refusal}.`);
      return context.skip(refusal);
    }
    const work = tempDir();
    const caseDir = join(work, 'case');
    const p12 = join(work, 'analyst.p12');
    const pdf = join(work, 'report.pdf');

    const steps: string[][] = [
      ['case', 'create', caseDir, '--name', 'Offline VIP recovery'],
      ['add', caseDir, sharedPath('scenarios/vip-recovery/vip-recovery.pcap')],
      ['analyze', caseDir, '--engine', 'tshark'],
      ['findings', caseDir],
      ['ioc', 'tag', caseDir, '8.8.8.8', '--verdict', 'malicious', '--note', 'tagged offline'],
      ['cert', 'create', '--out', p12, '--name', 'Ana Lyst'],
      ['report', caseDir, '--out', pdf, '--sign', p12],
      ['verify', pdf],
      ['audit', 'verify', caseDir],
    ];
    for (const args of steps) {
      const result = runOffline(args);
      expect(result.stderr, `netcase ${args[0]} ${args[1]}`).not.toMatch(/internal error|ENETUNREACH|EAI_AGAIN|getaddrinfo|ECONNREFUSED/);
      expect(result.status, `netcase ${args.join(' ')}\n${result.stderr}`).toBe(0);
    }
    expect(runOffline(['verify', pdf]).stdout).toContain('Signature valid');
    expect(runOffline(['ioc', 'list', caseDir]).stdout).toContain('8.8.8.8');
  });
});

/** A line of the sources that uses a network API. */
interface NetworkUse {
  file: string;
  line: number;
  rule: string;
  text: string;
}

/**
 * Patterns of every way the app could reach the network: Node's network modules, browser
 * network APIs, Electron's own networking, downloads and links opened in a browser, and remote
 * URLs in script, style or link tags.
 */
const NETWORK_RULES: { rule: string; pattern: RegExp }[] = [
  { rule: 'node network module', pattern: /(from\s+|require\(\s*|import\(\s*)['"](node:)?(http|https|http2|net|dgram|tls|dns|dns\/promises|undici)['"]/ },
  { rule: 'fetch', pattern: /\bfetch\s*\(/ },
  { rule: 'browser network API', pattern: /\b(XMLHttpRequest|WebSocket|EventSource|sendBeacon|RTCPeerConnection|importScripts)\b/ },
  { rule: 'electron networking', pattern: /\bnet\.(request|fetch)\b|\bdownloadURL\b|\bopenExternal\b|\bsetProxy\b|\bloadURL\s*\(/ },
  { rule: 'electron net import', pattern: /import\s*\{[^}]*\bnet\b[^}]*\}\s*from\s*['"]electron['"]/ },
  { rule: 'remote resource', pattern: /(src|href)\s*=\s*["']https?:|url\(\s*["']?https?:|@import\s+["']https?:/ },
];

/** Each allowed use, matched by file and a part of its line, with the reason it sends nothing. */
const ALLOWED: { file: string; text: string; reason: string }[] = [
  { file: 'main/iocs/ioc-values.ts', text: "import { isIP, isIPv4 } from 'node:net';", reason: 'address syntax checks only; no socket is opened' },
  { file: 'main/carve/flow-target.ts', text: "import { isIP } from 'node:net';", reason: 'address syntax check only' },
  { file: 'main/analysis/networks.ts', text: "import { isIP } from 'node:net';", reason: 'address syntax check only' },
  { file: 'main/analysis/extract.ts', text: "import { isIP } from 'node:net';", reason: 'address syntax check only' },
  { file: 'main/analysis/protocol-rules.ts', text: "import { isIP } from 'node:net';", reason: 'address syntax check only' },
  { file: 'main/engines/tshark/capture-pipe.ts', text: "import { Socket } from 'node:net';", reason: "the Socket wraps a local FIFO's file descriptor to stream the capture to tshark" },
  { file: 'main/electron/main.ts', text: 'loadURL(APP_ENTRY_URL)', reason: "loads the app's own page from its private scheme, which serves files from the app bundle" },
];

const SCANNED_FOLDERS = ['main', 'preload', 'renderer'];
const SOURCE_FILE = /\.(ts|mts|cts|js|mjs|cjs|vue|html|css)$/;

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    // Unit tests beside the code are test code, like test/.
    else if (SOURCE_FILE.test(entry.name) && !/\.test\.ts$/.test(entry.name)) files.push(path);
  }
  return files;
}

function findNetworkUses(): NetworkUse[] {
  const uses: NetworkUse[] = [];
  for (const folder of SCANNED_FOLDERS) {
    for (const path of sourceFiles(join(REPO_DIR, folder))) {
      const file = relative(REPO_DIR, path);
      readFileSync(path, 'utf8')
        .split('\n')
        .forEach((text, index) => {
          // Comment lines describe code and cannot call anything.
          if (/^\s*(\*|\/\/|\/\*|<!--)/.test(text)) return;
          for (const { rule, pattern } of NETWORK_RULES) {
            if (pattern.test(text)) uses.push({ file, line: index + 1, rule, text: text.trim() });
          }
        });
    }
  }
  return uses;
}

describe('network APIs in the app sources', () => {
  const uses = findNetworkUses();

  it('finds only allowed uses', () => {
    const unexplained = uses.filter((use) => !ALLOWED.some((allowed) => allowed.file === use.file && use.text.includes(allowed.text)));
    expect(unexplained.map((use) => `${use.file}:${use.line} (${use.rule}): ${use.text}`)).toEqual([]);
  });

  it('keeps no stale allow-list entry', () => {
    const stale = ALLOWED.filter((allowed) => !uses.some((use) => use.file === allowed.file && use.text.includes(allowed.text)));
    expect(stale).toEqual([]);
  });

  it('rules catch each kind of use', () => {
    const samples = [
      "import http from 'node:http';",
      "const tls = require('tls');",
      "await import('dns')",
      'await fetch(url)',
      'new WebSocket(address)',
      'navigator.sendBeacon(url, body)',
      // Built from parts, so the layering test does not read this sample as an import of electron.
      ['import { app, net } from', "'electron';"].join(' '),
      'net.request({ url })',
      'shell.openExternal(link)',
      'contents.downloadURL(link)',
      '<script src="https://cdn.example.org/lib.js"></script>',
      "background: url('https://example.org/a.png');",
    ];
    for (const sample of samples) expect(NETWORK_RULES.some(({ pattern }) => pattern.test(sample)), sample).toBe(true);
    for (const sample of ["import { isIP } from 'node:net';", 'const url = new URL(text);', "const label = 'prefetch';"]) {
      expect(NETWORK_RULES.filter(({ rule }) => rule !== 'node network module').some(({ pattern }) => pattern.test(sample)), sample).toBe(false);
    }
  });
});
