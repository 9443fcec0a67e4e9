import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import forge from 'node-forge';
import { expect, it } from 'vitest';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { listAudit } from '../../main/case/audit.js';
import { importLogs } from '../../main/ingest/importer.js';
import { createAnalystCertificate } from '../../main/report/signing/identity.js';
import { createServices } from '../../main/services.js';
import { runNetcase } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';

const services = createServices('netcase-test');
const PASSPHRASE = 'report test passphrase';
const SUBJECT = 'Счёт на оплату №42';

/** Creates a case whose Zeek logs carry an IDN domain and a Cyrillic e-mail subject. */
async function cyrillicCase(parent: string): Promise<string> {
  const logs = join(parent, 'logs');
  mkdirSync(logs);
  const base = { uid: 'CzQ3Xk1', 'id.orig_h': '10.0.0.5', 'id.orig_p': 50123 };
  writeFileSync(join(logs, 'dns.log'), `${JSON.stringify({ ...base, ts: 1767981883.417, 'id.resp_h': '10.0.0.1', 'id.resp_p': 53, proto: 'udp', query: 'пример.рф', qtype_name: 'A' })}\n`);
  writeFileSync(join(logs, 'smtp.log'), `${JSON.stringify({ ...base, ts: 1767981890.5, uid: 'CzQ3Xk2', 'id.resp_h': '198.51.100.25', 'id.resp_p': 587, trans_depth: 1, mailfrom: 'отдел@пример.рф', rcptto: ['jump@eraqron.shop'], subject: SUBJECT })}\n`);
  const dir = join(parent, 'case');
  createCase(dir, { name: 'Кириллица', analyst: 'Аналитик' });
  const opened = openCase(dir, { write: true });
  try {
    await importLogs(opened.db, [logs], { actor: opened.actor });
  } finally {
    opened.close();
  }
  return dir;
}

function subjectTimeline(dir: string) {
  return [...services.events(dir, { log: 'smtp' })].map((row) => ({ ts: row.ts!, description: `SMTP subject: ${(JSON.parse(row.record) as { subject: string }).subject}`, source: 'analyst' as const }));
}

it('IDN domain and Cyrillic subject render', async () => {
  const work = tempDir();
  const dir = await cyrillicCase(work);
  const pdf = join(work, 'report.pdf');
  const markdown = join(work, 'report.md');
  const iocs = [{ type: 'domain' as const, value: 'пример.рф', verdict: 'malicious' as const, note: 'Домен отправителя', firstSeen: 1767981883417000 }];
  await services.exportReport(dir, { out: pdf, markdown, inputs: { iocs, timeline: subjectTimeline(dir) } });

  const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
  expect(text).toContain('пример.рф');
  expect(text).toContain(SUBJECT);
  expect(text).toContain('Домен отправителя');
  expect(text).toContain('Кириллица');
  expect(readFileSync(markdown, 'utf8')).toContain(SUBJECT);
}, 30_000);

it('tagged IDN domain shows Unicode', async () => {
  const work = tempDir();
  const dir = await cyrillicCase(work);
  await services.tagIoc(dir, { value: 'пример.рф', verdict: 'malicious', note: 'Tagged through the IOC store' });
  const pdf = join(work, 'tagged.pdf');
  await services.exportReport(dir, { out: pdf });
  const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' });
  expect(text.split('\n')).toContain('пример.рф (xn--e1afmkfd.xn--p1ai)');
  // The note wraps inside its column.
  expect(text.replace(/\s+/g, ' ')).toContain('Tagged through the IOC store');
}, 30_000);

it('report edit replaces and restores a draft', async () => {
  const work = tempDir();
  const dir = await cyrillicCase(work);
  const summary = 'Хост 10.0.0.5 отправил счёт на внешний адрес.';
  expect(runNetcase(['report', 'edit', dir, '--field', 'executive-summary', '--text', summary]).status).toBe(0);
  await services.exportReport(dir, { out: join(work, 'edited.pdf'), markdown: join(work, 'edited.md') });
  expect(readFileSync(join(work, 'edited.md'), 'utf8')).toContain(summary);
  expect(execFileSync('pdftotext', [join(work, 'edited.pdf'), '-'], { encoding: 'utf8' })).toContain(summary);

  expect(runNetcase(['report', 'edit', dir, '--field', 'executive-summary', '--clear']).status).toBe(0);
  await services.exportReport(dir, { out: join(work, 'draft.pdf'), markdown: join(work, 'draft.md') });
  const draft = readFileSync(join(work, 'draft.md'), 'utf8');
  const draftSummary = draft.slice(draft.indexOf('## Executive summary'), draft.indexOf('## Case metadata'));
  expect(draftSummary).not.toContain(summary);
  expect(draftSummary).toContain('Netcase examined 2 network events');

  const opened = openCase(dir, { write: false });
  try {
    const actions = listAudit(opened.db).map((entry) => entry.action);
    expect(actions).toContain('report.draft.edit');
    expect(actions).toContain('report.draft.clear');
  } finally {
    opened.close();
  }
}, 30_000);

it('report edit rejects an unknown field', async () => {
  const work = tempDir();
  const dir = await cyrillicCase(work);
  const result = runNetcase(['report', 'edit', dir, '--field', 'summary', '--text', 'x']);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('Unknown report field "summary"');
  expect(result.stderr).toContain('executive-summary');
});

it('cert create needs a passphrase source', () => {
  const work = tempDir();
  const env = { NETCASE_P12_PASSPHRASE: undefined as unknown as string };
  delete process.env.NETCASE_P12_PASSPHRASE;
  const result = runNetcase(['cert', 'create', '--out', join(work, 'a.p12'), '--name', 'Ana'], { env });
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('NETCASE_P12_PASSPHRASE');
  expect(existsSync(join(work, 'a.p12'))).toBe(false);
});

it('cert create then signed report verifies', async () => {
  const work = tempDir();
  const dir = await cyrillicCase(work);
  const p12 = join(work, 'ana.p12');
  const env = { NETCASE_P12_PASSPHRASE: PASSPHRASE };
  const created = runNetcase(['cert', 'create', '--out', p12, '--name', 'Аня Аналитик', '--email', 'ana@example.org'], { env });
  expect(created.status).toBe(0);
  expect(runNetcase(['cert', 'create', '--out', p12, '--name', 'Again'], { env }).status).toBe(1);

  const pdf = join(work, 'signed.pdf');
  expect(runNetcase(['report', dir, '--out', pdf, '--sign', p12], { env }).status).toBe(0);
  const verify = runNetcase(['verify', pdf]);
  expect(verify.status).toBe(0);
  expect(verify.stdout).toContain('Аня Аналитик');
  expect(execFileSync('pdfsig', [pdf], { encoding: 'utf8' })).toContain('Signature is Valid');
}, 30_000);

interface CertificateShape {
  notBefore?: Date;
  notAfter?: Date;
  keyUsage?: Record<string, boolean>;
  withKey?: boolean;
  /** Issue the certificate from a separate CA and leave the CA's certificate out of the file. */
  issuedByCa?: boolean;
}

/** Builds a PKCS#12 file whose certificate has the given validity and key usage. */
function customP12(shape: CertificateShape): Buffer {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const key = forge.pki.privateKeyFromPem(pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  certificate.serialNumber = '01';
  certificate.validity.notBefore = shape.notBefore ?? new Date(Date.now() - 86_400_000);
  certificate.validity.notAfter = shape.notAfter ?? new Date(Date.now() + 86_400_000);
  certificate.setSubject([{ name: 'commonName', value: 'Test Signer' }]);
  certificate.setIssuer([{ name: 'commonName', value: shape.issuedByCa ? 'Test CA' : 'Test Signer' }]);
  if (shape.keyUsage) certificate.setExtensions([{ name: 'keyUsage', ...shape.keyUsage }]);
  const caPair = shape.issuedByCa ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : undefined;
  const signingKey = caPair ? forge.pki.privateKeyFromPem(caPair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()) : key;
  certificate.sign(signingKey, forge.md.sha256.create());
  const asn1 = forge.pkcs12.toPkcs12Asn1(shape.withKey === false ? null : key, [certificate], PASSPHRASE, { algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

const BAD_CERTIFICATES: [string, CertificateShape | 'not-p12', string][] = [
  ['expired', { notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') }, 'expired on 2021-01-01'],
  ['not yet valid', { notBefore: new Date(Date.now() + 10 * 86_400_000), notAfter: new Date(Date.now() + 20 * 86_400_000) }, 'is not valid before'],
  ['encryption only', { keyUsage: { keyEncipherment: true } }, 'does not allow digital signatures'],
  ['without key', { withKey: false }, 'contains no private key'],
  ['not a p12', 'not-p12', 'is not a readable PKCS#12'],
  ['CA-issued without chain', { issuedByCa: true }, 'lacks the certificate of the CA that issued "Test Signer"'],
];

for (const [name, shape, message] of BAD_CERTIFICATES) {
  it(`${name} certificate is refused`, async () => {
    const work = tempDir();
    const dir = await cyrillicCase(work);
    const p12 = join(work, 'bad.p12');
    writeFileSync(p12, shape === 'not-p12' ? Buffer.from('%PDF-1.7 not a certificate') : customP12(shape));
    const out = join(work, 'out');
    mkdirSync(out);
    const result = runNetcase(['report', dir, '--out', join(out, 'r.pdf'), '--sign', p12], { env: { NETCASE_P12_PASSPHRASE: PASSPHRASE } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(message);
    expect(readdirSync(out)).toEqual([]);
  }, 30_000);
}

it('valid custom certificate signs', async () => {
  const work = tempDir();
  const dir = await cyrillicCase(work);
  const p12 = join(work, 'good.p12');
  writeFileSync(p12, customP12({ keyUsage: { digitalSignature: true } }));
  const result = await services.exportReport(dir, { out: join(work, 'r.pdf'), sign: { p12Path: p12, passphrase: PASSPHRASE } });
  expect(result.signature?.valid).toBe(true);
  expect(createAnalystCertificate).toBeTypeOf('function');
}, 30_000);

it.skipIf(process.getuid?.() === 0)('read-only output folder is refused', async () => {
  const work = tempDir();
  const dir = await cyrillicCase(work);
  const out = join(work, 'locked');
  mkdirSync(out, { mode: 0o555 });
  const result = runNetcase(['report', dir, '--out', join(out, 'r.pdf')]);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('is not writable');
  expect(readdirSync(out)).toEqual([]);
});

it('inputs file feeds stages', async () => {
  const work = tempDir();
  const dir = await cyrillicCase(work);
  const inputs = join(work, 'inputs.json');
  const stage = { id: 'mail', title: 'Invoice mail to an outside address', start: 1767981890500000, end: 1767981890500000, indicators: ['пример.рф'] };
  writeFileSync(inputs, JSON.stringify({ stages: [stage], engine: { name: 'zeek', version: 'zeek 7.0.5', allowBadChecksums: false } }));
  const pdf = join(work, 'r.pdf');
  expect(runNetcase(['report', dir, '--out', pdf, '--inputs', inputs]).status).toBe(0);
  const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
  expect(text).toContain('1. Invoice mail to an outside address');
  expect(text).toContain('zeek 7.0.5');
  expect(text).toContain('Packets with bad checksums were discarded');
}, 30_000);

it('invalid inputs file names the field', async () => {
  const work = tempDir();
  const dir = await cyrillicCase(work);
  const inputs = join(work, 'inputs.json');
  writeFileSync(inputs, JSON.stringify({ stages: [{ id: 's', title: 'x', start: 'yesterday', end: null, indicators: [] }] }));
  const result = runNetcase(['report', dir, '--out', join(work, 'r.pdf'), '--inputs', inputs]);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('invalid at stages.0.start');
  expect(existsSync(join(work, 'r.pdf'))).toBe(false);
});

it('output path that is a folder is refused', async () => {
  const work = tempDir();
  const dir = await cyrillicCase(work);
  const result = runNetcase(['report', dir, '--out', work]);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('is a folder');
});

it('unsigned report fails verify', async () => {
  const work = tempDir();
  const dir = await cyrillicCase(work);
  const pdf = join(work, 'unsigned.pdf');
  expect(runNetcase(['report', dir, '--out', pdf]).status).toBe(0);
  const result = runNetcase(['verify', pdf]);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('no embedded signature');
}, 30_000);
