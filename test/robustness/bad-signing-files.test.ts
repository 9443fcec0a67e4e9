import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAnalystCertificate } from '../../main/report/signing/identity.js';
import { runNetcase } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { expectCaseSound, suiteDir } from './case-health.js';

const PASSPHRASE = 'robustness passphrase';
const ENV = { NETCASE_P12_PASSPHRASE: PASSPHRASE };
const CONN_LOG = [
  '#separator \\x09',
  '#path\tconn',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum',
  '1767981600.000000\tC1\t10.0.0.1\t1000\t192.0.2.80\t80\ttcp',
  '1767981601.000000\tC2\t10.0.0.2\t1001\t192.0.2.80\t443\ttcp',
].join('\n');

/** A file given to `report --sign` that cannot sign, and the error message it must produce. */
interface BadIdentity {
  name: string;
  write: (path: string, files: SuiteFiles) => void;
  env?: NodeJS.ProcessEnv;
  message: (path: string) => string | RegExp;
  exitCode?: number;
}

/** A file given to `verify` that is not a valid signed report, and the problem it must list. */
interface BadReport {
  name: string;
  write: (path: string, files: SuiteFiles) => void;
  problem: RegExp;
}

interface SuiteFiles {
  caseDir: string;
  p12: string;
  signedPdf: string;
  unsignedPdf: string;
}

const BAD_IDENTITIES: BadIdentity[] = [
  {
    name: 'random bytes as .p12',
    write: (path) => writeFileSync(path, Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 131 + 17) % 256))),
    message: (path) => new RegExp(`${path} is not a readable PKCS#12 \\(\\.p12\\) file: [^.]+\\. Export the certificate and its private key as PKCS#12, or make one with "netcase cert create"\\.`),
  },
  {
    name: 'text file as .p12',
    write: (path) => writeFileSync(path, 'this is my certificate\n'),
    message: (path) => new RegExp(`${path} is not a readable PKCS#12 \\(\\.p12\\) file`),
  },
  {
    name: 'empty .p12',
    write: (path) => writeFileSync(path, ''),
    message: (path) => new RegExp(`${path} is not a readable PKCS#12 \\(\\.p12\\) file`),
  },
  {
    name: 'truncated .p12',
    write: (path, files) => writeFileSync(path, readFileSync(files.p12).subarray(0, 600)),
    message: (path) => new RegExp(`${path} is not a readable PKCS#12 \\(\\.p12\\) file`),
  },
  {
    name: 'PDF given as .p12',
    write: (path, files) => copyFileSync(files.signedPdf, path),
    message: (path) => new RegExp(`${path} is not a readable PKCS#12 \\(\\.p12\\) file`),
  },
  {
    name: 'wrong passphrase',
    write: (path, files) => copyFileSync(files.p12, path),
    env: { NETCASE_P12_PASSPHRASE: 'not the passphrase' },
    message: (path) => `Wrong passphrase for ${path}: the file's integrity check failed with it. Set NETCASE_P12_PASSPHRASE to the passphrase given when the file was created.`,
  },
  {
    name: 'no passphrase and no terminal',
    write: (path, files) => copyFileSync(files.p12, path),
    env: { NETCASE_P12_PASSPHRASE: undefined },
    message: () => 'No passphrase given. Set NETCASE_P12_PASSPHRASE, or run the command in a terminal to be asked for it.',
    exitCode: 2,
  },
  {
    name: 'missing .p12',
    write: () => undefined,
    message: (path) => `File ${path} for --sign not found. Check the path.`,
  },
];

const BAD_REPORTS: BadReport[] = [
  { name: 'unsigned report', write: (path, files) => copyFileSync(files.unsignedPdf, path), problem: /^the file has no embedded signature \(no \/ByteRange\)$/ },
  { name: 'text file as PDF', write: (path) => writeFileSync(path, 'quarterly numbers\n'), problem: /^the file is not a PDF \(no "%PDF-" header in its first 1024 bytes\)$/ },
  { name: 'empty PDF', write: (path) => writeFileSync(path, ''), problem: /^the file is empty \(0 bytes\), not a PDF$/ },
  {
    name: 'signed report cut short',
    write: (path, files) => {
      const pdf = readFileSync(files.signedPdf);
      writeFileSync(path, pdf.subarray(0, pdf.length - 2000));
    },
    problem: /^the byte range \[0 \d+ \d+ \d+\] does not fit a file of \d+ bytes$/,
  },
  {
    name: 'signed report with text appended',
    write: (path, files) => writeFileSync(path, Buffer.concat([readFileSync(files.signedPdf), Buffer.from('\n% added later\n')])),
    problem: /^the signature covers bytes up to \d+ but the file has \d+: content was added after signing$/,
  },
];

describe('bad signing files', () => {
  let files: SuiteFiles;

  beforeAll(() => {
    const work = suiteDir('netcase-signing-');
    const caseDir = join(work, 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'signing']).status).toBe(0);
    const log = join(work, 'conn.log');
    writeFileSync(log, `${CONN_LOG}\n`);
    expect(runNetcase(['import-logs', caseDir, log]).status).toBe(0);
    const p12 = join(work, 'analyst.p12');
    writeFileSync(p12, createAnalystCertificate({ name: 'Ana Lyst', passphrase: PASSPHRASE }));
    const signedPdf = join(work, 'signed.pdf');
    const unsignedPdf = join(work, 'unsigned.pdf');
    expect(runNetcase(['report', caseDir, '--out', signedPdf, '--sign', p12], { env: ENV }).status).toBe(0);
    expect(runNetcase(['report', caseDir, '--out', unsignedPdf]).status).toBe(0);
    files = { caseDir, p12, signedPdf, unsignedPdf };
  });

  it.each(BAD_IDENTITIES.map((bad) => [bad.name, bad] as const))('report --sign with %s', async (_name, bad) => {
    const work = tempDir();
    const path = join(work, 'identity.p12');
    bad.write(path, files);
    const before = await expectCaseSound(files.caseDir);

    const out = join(work, 'report.pdf');
    const result = runNetcase(['report', files.caseDir, '--out', out, '--sign', path], { env: { ...ENV, ...bad.env } });
    const expected = bad.message(path);
    if (typeof expected === 'string') expect(result.stderr).toContain(expected);
    else expect(result.stderr).toMatch(expected);
    expect(result.stderr).not.toContain('internal error');
    expect(result.status).toBe(bad.exitCode ?? 1);

    expect(readdirSync(work).filter((name) => name.startsWith('report') || name.startsWith('.report'))).toEqual([]);
    expect(await expectCaseSound(files.caseDir)).toEqual(before);
  });

  it.each(BAD_REPORTS.map((bad) => [bad.name, bad] as const))('verify of %s', (_name, bad) => {
    const path = join(tempDir(), 'report.pdf');
    bad.write(path, files);
    const result = runNetcase(['verify', path, '--json']);
    const report = JSON.parse(result.stdout) as { valid: boolean; problems: string[] };
    expect(report.valid).toBe(false);
    expect(report.problems.join('\n')).toMatch(bad.problem);
    expect(result.status).toBe(1);
  });

  it('verify of a missing file', () => {
    const path = join(tempDir(), 'gone.pdf');
    const result = runNetcase(['verify', path]);
    expect(result.stderr).toContain(`${path}`);
    expect(result.stderr).toMatch(/not found/);
    expect(result.status).toBe(1);
    expect(existsSync(path)).toBe(false);
  });
});
