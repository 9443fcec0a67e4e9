// `npm run demo`: the whole headless job on the bundled sample capture. It creates a fresh case
// under cases/, adds and analyses the capture, and tags every suggested indicator as a scripted
// analyst would. Then it creates a demo certificate, exports the signed PDF and Markdown
// report, verifies the PDF and prints the paths, the PDF's last.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO_DIR = resolve(import.meta.dirname, '..');
const CLI = join(REPO_DIR, 'bin/netcase.js');
const SAMPLE = join(REPO_DIR, 'resources/samples/vip-recovery.pcap');

// The demo certificate protects nothing, so its passphrase may be known; real certificates
// take theirs from NETCASE_P12_PASSPHRASE or a prompt.
const DEMO_PASSPHRASE = 'netcase-demo';

function netcase(args, { json = false } = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NETCASE_P12_PASSPHRASE: DEMO_PASSPHRASE },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout);
    throw new Error(`netcase ${args.join(' ')} failed with exit code ${result.status}`);
  }
  if (!json) process.stdout.write(result.stdout);
  return json ? JSON.parse(result.stdout) : result.stdout;
}

const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
const caseDir = join(REPO_DIR, 'cases', `vip-recovery-demo-${stamp}`);
mkdirSync(join(REPO_DIR, 'cases'), { recursive: true });

// 1. A fresh case with the sample capture as evidence, analysed by the best engine present.
netcase(['case', 'create', caseDir, '--name', 'VIP Recovery (2026-01-09 capture)', '--analyst', 'Demo Analyst']);
netcase(['add', caseDir, SAMPLE]);
netcase(['analyze', caseDir, '--engine', 'auto']);

// 2. The scripted analyst accepts every suggested indicator: malicious where a high-severity
// finding names it, suspicious otherwise.
const { findings, suggestedIocs } = netcase(['findings', caseDir, '--json'], { json: true });
console.log(`Findings: ${findings.map((finding) => finding.title).join('; ')}`);
for (const verdict of ['malicious', 'suspicious']) {
  const values = suggestedIocs.filter((suggestion) => (suggestion.severity === 'high') === (verdict === 'malicious')).map((suggestion) => suggestion.value);
  if (values.length === 0) continue;
  const list = join(caseDir, 'exports', `demo-${verdict}.txt`);
  writeFileSync(list, `${[...new Set(values)].join('\n')}\n`);
  netcase(['ioc', 'tag', caseDir, '--file', list, '--verdict', verdict, '--tags', 'demo', '--note', 'Suggested by a detection rule; accepted by the demo analyst.']);
}

// 3. A demo signing certificate, the signed report and its verification.
const certificate = join(caseDir, 'exports', 'demo-analyst.p12');
const pdf = join(caseDir, 'reports', 'vip-recovery-report.pdf');
const markdown = join(caseDir, 'reports', 'vip-recovery-report.md');
netcase(['cert', 'create', '--out', certificate, '--name', 'Demo Analyst', '--email', 'analyst@example.org']);
netcase(['report', caseDir, '--out', pdf, '--sign', certificate, '--markdown', markdown]);
netcase(['verify', pdf]);

console.log(`\nCase:        ${caseDir}`);
console.log(`Certificate: ${certificate} (passphrase "${DEMO_PASSPHRASE}")`);
console.log(`Markdown:    ${markdown}`);
console.log(`Signed PDF:  ${pdf}`);
