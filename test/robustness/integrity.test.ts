import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { openCase } from '../../main/case/case-folder.js';
import { listAudit } from '../../main/case/audit.js';
import { listEvidence } from '../../main/case/evidence.js';
import { createAnalystCertificate } from '../../main/report/signing/identity.js';
import { verifyPdfSignature } from '../../main/report/signing/verify-pdf.js';
import { runNetcase } from '../helpers/cli.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';
import { suiteDir } from './case-health.js';

const PASSPHRASE = 'integrity test passphrase';
const ENV = { NETCASE_P12_PASSPHRASE: PASSPHRASE };

function pdfText(path: string): string {
  // pdftotext breaks sentences across lines, so whitespace is collapsed before matching.
  return execFileSync('pdftotext', [path, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

describeWithShared('evidence and report integrity', () => {
  let template: string;
  let p12: string;

  beforeAll(() => {
    const work = suiteDir('netcase-integrity-');
    template = join(work, 'case');
    p12 = join(work, 'analyst.p12');
    writeFileSync(p12, createAnalystCertificate({ name: 'Ana Lyst', passphrase: PASSPHRASE }));
    expect(runNetcase(['case', 'create', template, '--name', 'integrity']).status).toBe(0);
    expect(runNetcase(['add', template, sharedPath('scenarios/vip-recovery/vip-recovery.pcap')]).status).toBe(0);
    expect(runNetcase(['analyze', template, '--engine', 'tshark']).status).toBe(0);
  }, 120_000);

  function copyCase(): { caseDir: string; evidencePath: string; recorded: string } {
    const caseDir = join(tempDir(), 'case');
    execFileSync('cp', ['-a', template, caseDir]);
    const opened = openCase(caseDir, { write: false });
    try {
      const [item] = listEvidence(opened);
      return { caseDir, evidencePath: join(caseDir, item!.stored_path), recorded: item!.sha256 };
    } finally {
      opened.close();
    }
  }

  it('changed evidence byte is reported', () => {
    const { caseDir, evidencePath, recorded } = copyCase();
    const bytes = readFileSync(evidencePath);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0x01;
    chmodSync(evidencePath, 0o644);
    writeFileSync(evidencePath, bytes);
    chmodSync(evidencePath, 0o444);

    // 1. case info shows the change, names both hashes and fails.
    const info = runNetcase(['case', 'info', caseDir]);
    expect(info.stdout).toMatch(/\[changed\] evidence\/11d055385e97-vip-recovery\.pcap/);
    expect(info.stderr).toMatch(new RegExp(`EVIDENCE CHANGED: evidence/11d055385e97-vip-recovery\\.pcap \\(recorded SHA-256 ${recorded}, now [0-9a-f]{64}\\)`));
    expect(info.status).toBe(1);

    // 2. The verification is audited with the new hash.
    const opened = openCase(caseDir, { write: false });
    try {
      const verification = listAudit(opened.db).filter((entry) => entry.action === 'evidence.verify').at(-1)!;
      expect(JSON.parse(verification.details)).toMatchObject({ items: [{ status: 'changed', sha256: recorded }] });
    } finally {
      opened.close();
    }

    // 3. The next report states the change in its evidence list and in its limitations.
    const pdf = join(tempDir(), 'report.pdf');
    const report = runNetcase(['report', caseDir, '--out', pdf, '--sign', p12], { env: ENV });
    expect(report.status).toBe(0);
    const text = pdfText(pdf);
    expect(text).toContain('vip-recovery.pcap (capture, 95097 bytes, changed)');
    expect(text).toContain(`Evidence file vip-recovery.pcap is changed since intake (recorded SHA-256 ${recorded})`);
  });

  it('missing evidence file is reported', () => {
    const { caseDir, evidencePath } = copyCase();
    rmSync(evidencePath);
    const info = runNetcase(['case', 'info', caseDir]);
    expect(info.stdout).toMatch(/\[missing\] evidence\/11d055385e97-vip-recovery\.pcap/);
    expect(info.stderr).toContain('EVIDENCE MISSING: evidence/11d055385e97-vip-recovery.pcap');
    expect(info.status).toBe(1);
    const pdf = join(tempDir(), 'report.pdf');
    expect(runNetcase(['report', caseDir, '--out', pdf]).status).toBe(0);
    expect(pdfText(pdf)).toContain('vip-recovery.pcap (capture, 95097 bytes, missing)');
  });

  it('any changed report byte fails verify', () => {
    const { caseDir } = copyCase();
    const work = tempDir();
    const pdf = join(work, 'report.pdf');
    expect(runNetcase(['report', caseDir, '--out', pdf, '--sign', p12], { env: ENV }).status).toBe(0);
    const signed = readFileSync(pdf);
    expect(verifyPdfSignature(signed).valid).toBe(true);

    // Flipping every 97th byte reaches the header, both signed ranges, the signature value and
    // the trailer; the first and last byte are flipped too.
    const offsets = [0, signed.length - 1];
    for (let offset = 48; offset < signed.length; offset += 97) offsets.push(offset);
    const accepted: number[] = [];
    for (const offset of offsets) {
      const tampered = Buffer.from(signed);
      tampered[offset] = tampered[offset] === 0x30 ? 0x31 : 0x30;
      if (verifyPdfSignature(tampered).valid) accepted.push(offset);
    }
    expect(accepted).toEqual([]);

    // The CLI and poppler's pdfsig both reject one tampered copy.
    const tampered = Buffer.from(signed);
    const quarter = Math.floor(signed.length / 4);
    tampered[quarter] = tampered[quarter]! ^ 0x01;
    const tamperedPath = join(work, 'tampered.pdf');
    writeFileSync(tamperedPath, tampered);
    const verify = runNetcase(['verify', tamperedPath]);
    expect(verify.stderr).toContain(`Signature INVALID for ${tamperedPath}`);
    expect(verify.status).toBe(1);
    const pdfsig = spawnSync('pdfsig', [tamperedPath], { encoding: 'utf8' });
    expect(pdfsig.stdout).toMatch(/Signature Validation: (Digest Mismatch|Signature is Invalid)/);

    copyFileSync(pdf, join(work, 'copy.pdf'));
    expect(runNetcase(['verify', join(work, 'copy.pdf')]).status).toBe(0);
  });
});
