import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { listAudit } from '../../main/case/audit.js';
import { addEvidence } from '../../main/case/evidence.js';
import { importLogs } from '../../main/ingest/importer.js';
import { createAnalystCertificate } from '../../main/report/signing/identity.js';
import type { ReportInputs, ReportStage, ReportTimelineEntry } from '../../main/report/report-model.js';
import { createServices } from '../../main/services.js';
import { runNetcase } from '../helpers/cli.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

const services = createServices('netcase-test');
const PASSPHRASE = 'report test passphrase';
const SIMDA_LOGS = () => sharedPath('corpus/zeek-logs/stratosphere-security-datasets-for-testing/005-zeek-scenario-malicious');

/** Creates a temporary folder kept for a whole suite, because tempDir() removes its folders after each test. */
function suiteDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function pdfText(path: string): string {
  return execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
}

function pdfsig(path: string): string {
  return execFileSync('pdfsig', [path], { encoding: 'utf8' });
}

function writeCertificate(dir: string): string {
  const path = join(dir, 'analyst.p12');
  writeFileSync(path, createAnalystCertificate({ name: 'Ana Lyst', email: 'ana@example.org', passphrase: PASSPHRASE }));
  return path;
}

/** Creates a case from the Simda Zeek logs of the corpus, with the DNS log added as evidence. */
async function corpusCase(parent: string): Promise<string> {
  const dir = join(parent, 'case');
  createCase(dir, { name: 'Simda botnet', analyst: 'Ana Lyst' });
  const opened = openCase(dir, { write: true });
  try {
    await addEvidence(opened, [join(SIMDA_LOGS(), 'dns.log')]);
    await importLogs(opened.db, [SIMDA_LOGS()], { actor: opened.actor });
  } finally {
    opened.close();
  }
  return dir;
}

describeWithShared('signed report of corpus logs', () => {
  const work = suiteDir('netcase-report-');
  let pdf: string;

  beforeAll(async () => {
    const caseDir = await corpusCase(work);
    const p12 = writeCertificate(work);
    pdf = join(work, 'report.pdf');
    const result = await services.exportReport(caseDir, { out: pdf, markdown: join(work, 'report.md'), sign: { p12Path: p12, passphrase: PASSPHRASE } });
    expect(result.signature?.valid).toBe(true);
  }, 60_000);

  it('pdfsig accepts the signature', () => {
    const output = pdfsig(pdf);
    expect(output).toContain('Signature is Valid');
    expect(output).toContain('Total document signed');
    expect(output).toContain('Ana Lyst');
  });

  it('netcase verify passes and names the signer', () => {
    const result = runNetcase(['verify', pdf, '--json']);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { valid: boolean; signer: string; coversWholeFile: boolean; certificate: { selfSigned: boolean } };
    expect(report.valid).toBe(true);
    expect(report.signer).toBe('Ana Lyst');
    expect(report.coversWholeFile).toBe(true);
    expect(report.certificate.selfSigned).toBe(true);
  });

  it('sha256 file and audit entry match the PDF', () => {
    const sha256 = createHash('sha256').update(readFileSync(pdf)).digest('hex');
    expect(readFileSync(`${pdf}.sha256`, 'utf8')).toBe(`${sha256}  report.pdf\n`);
    const opened = openCase(join(work, 'case'), { write: false });
    try {
      const exports = listAudit(opened.db).filter((entry) => entry.action === 'report.export');
      expect(exports).toHaveLength(1);
      expect(JSON.parse(exports[0]!.details)).toMatchObject({ sha256, signed: true, signer: 'Ana Lyst' });
    } finally {
      opened.close();
    }
  });

  it('PDF shows sections, counts and footer', () => {
    const text = pdfText(pdf);
    for (const title of ['Executive summary', 'Case metadata', 'Key timeline (UTC)', 'Incident flow', 'Scope and limitations', 'Appendix A: audit log', 'Appendix B: verifying this report']) {
      expect(text).toContain(title);
    }
    expect(text).toContain('2976 (conn 992, dns 992, http 992)');
    expect(text).toContain('TLS hides the content');
    expect(text).toMatch(/page 2 of \d+/);
  });

  it('markdown carries the same facts', () => {
    const markdown = readFileSync(join(work, 'report.md'), 'utf8');
    expect(markdown).toContain('## Scope and limitations');
    expect(markdown).toContain('2976 (conn 992, dns 992, http 992)');
    expect(markdown).toContain('unsigned copy');
  });

  it('any changed byte fails verify', () => {
    const original = readFileSync(pdf);
    const range = (JSON.parse(runNetcase(['verify', pdf, '--json']).stdout) as { byteRange: number[] }).byteRange;
    const [, firstLength, secondStart] = range as [number, number, number];
    const text = original.toString('latin1');
    const positions = {
      header: 1,
      'page content': Math.floor(firstLength / 2),
      'byte range value': text.lastIndexOf('/ByteRange') + 14,
      'signature start': firstLength + 5,
      'signature middle': Math.floor((firstLength + secondStart) / 2),
      'signature padding': secondStart - 3,
      'after signature': secondStart + 20,
      'last byte': original.length - 1,
    };
    for (const [name, position] of Object.entries(positions)) {
      for (const mask of [0x01, 0x20, 0xff]) {
        const changed = Buffer.from(original);
        changed[position] = changed[position]! ^ mask;
        const report = services.verifyReport(writeTemp(changed));
        expect(report.valid, `byte ${position} (${name}) xor ${mask}`).toBe(false);
      }
    }
    const changed = Buffer.from(original);
    const middle = Math.floor(firstLength / 2);
    changed[middle] = changed[middle]! ^ 0x01;
    const path = writeTemp(changed);
    const result = runNetcase(['verify', path]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Signature INVALID');
  });

  it('appended bytes fail verify', () => {
    const report = services.verifyReport(writeTemp(Buffer.concat([readFileSync(pdf), Buffer.from('\n%%EOF\n')])));
    expect(report.valid).toBe(false);
    expect(report.problems.join(' ')).toContain('content was added after signing');
  });

  let counter = 0;
  function writeTemp(content: Buffer): string {
    const path = join(work, `changed-${counter++}.pdf`);
    writeFileSync(path, content);
    return path;
  }
});

/** The stages of the VIP Recovery infostealer run and the domains each one contacted. */
const VIP_STAGES: { id: string; title: string; domains: string[] }[] = [
  { id: 'staging', title: 'Payload retrieval from cloud storage', domains: ['firebasestorage.googleapis.com', '1zil1.s3.cubbit.eu'] },
  { id: 'ip-check', title: 'Public IP discovery', domains: ['checkip.dyndns.org'] },
  { id: 'geo', title: 'Geolocation lookup', domains: ['reallyfreegeoip.org'] },
  { id: 'telegram', title: 'Telegram API contact', domains: ['api.telegram.org'] },
  { id: 'smtp', title: 'SMTP submission to an external mailbox', domains: ['eraqron.shop'] },
];

/** Builds the key timeline from the case's own events: first DNS query, TLS SNI and HTTP host per name, and every SMTP transaction. */
function vipReportInputs(caseDir: string): ReportInputs {
  const timeline: ReportTimelineEntry[] = [];
  const seen = new Set<string>();
  const stageTimes = new Map<string, number[]>();
  const stageOf = (domain: string): string | undefined => VIP_STAGES.find((stage) => stage.domains.includes(domain))?.id;
  for (const row of services.events(caseDir, {})) {
    const record = JSON.parse(row.record) as Record<string, unknown>;
    let key: string | undefined;
    let description = '';
    let domain: string | undefined;
    if (row.log === 'dns' && typeof record.query === 'string') [key, description, domain] = [`dns ${record.query}`, `DNS query: ${record.query}`, record.query];
    if (row.log === 'ssl' && typeof record.server_name === 'string') [key, description, domain] = [`ssl ${record.server_name}`, `TLS session, SNI ${record.server_name}`, record.server_name];
    if (row.log === 'http' && typeof record.host === 'string') [key, description, domain] = [`http ${record.host}`, `HTTP ${String(record.method)} ${record.host}${String(record.uri)}`, record.host];
    if (row.log === 'smtp') [key, description, domain] = [`smtp ${row.id}`, `SMTP: ${String(record.mailfrom)} to ${String(record.rcptto)}`, 'eraqron.shop'];
    if (key === undefined || seen.has(key) || row.ts === null) continue;
    seen.add(key);
    timeline.push({ ts: row.ts, description, source: 'indicator', eventId: row.id });
    const stage = domain ? stageOf(domain) : undefined;
    if (stage) stageTimes.set(stage, [...(stageTimes.get(stage) ?? []), row.ts]);
  }
  const stages: ReportStage[] = VIP_STAGES.map((stage) => {
    const times = stageTimes.get(stage.id) ?? [];
    return { id: stage.id, title: stage.title, start: Math.min(...times), end: Math.max(...times), indicators: stage.domains };
  });
  const findings = VIP_STAGES.map((stage) => ({ stageId: stage.id, title: stage.title, detail: `Contact with ${stage.domains.join(' and ')}.`, eventIds: [], firstSeen: null }));
  return { timeline, stages, findings, detections: [{ ruleId: 'public-ip-check', title: 'Public IP check', description: 'A workstation asks a public IP check service for its address.', attack: ['T1016'] }] };
}

describeWithShared('vip-recovery report', () => {
  const expected = () => JSON.parse(readFileSync(sharedPath('scenarios/vip-recovery/expected.json'), 'utf8')) as { domains: string[]; server_addresses: Record<string, string[]>; pcap: { sha256: string } };
  const work = suiteDir('netcase-vip-report-');
  let text: string;
  let inputs: ReportInputs;

  beforeAll(async () => {
    const capture = join(work, 'vip-recovery.pcap');
    copyFileSync(sharedPath('scenarios/vip-recovery/vip-recovery.pcap'), capture);
    const caseDir = join(work, 'case');
    services.createCase(caseDir, { name: 'VIP Recovery', analyst: 'Ana Lyst' });
    await services.addEvidence(caseDir, [capture]);
    await services.analyze(caseDir, { engine: 'tshark' });
    for (const domain of expected().domains) await services.tagIoc(caseDir, { value: domain, verdict: 'malicious', note: 'Contacted by the infected host' });
    for (const address of Object.values(expected().server_addresses).flat()) await services.tagIoc(caseDir, { value: address, verdict: 'suspicious' });
    await services.tagIoc(caseDir, { value: 'rejump@eraqron.shop', verdict: 'malicious', note: 'SMTP sender' });
    await services.tagIoc(caseDir, { value: 'jump@eraqron.shop', verdict: 'malicious', note: 'SMTP recipient' });

    inputs = vipReportInputs(caseDir);
    const p12 = writeCertificate(work);
    const pdf = join(work, 'vip.pdf');
    await services.exportReport(caseDir, { out: pdf, sign: { p12Path: p12, passphrase: PASSPHRASE }, inputs });
    expect(pdfsig(pdf)).toContain('Signature is Valid');
    expect(runNetcase(['verify', pdf]).status).toBe(0);
    text = pdfText(pdf);
  }, 120_000);

  it('lists every domain, address and e-mail', () => {
    for (const domain of expected().domains) expect(text).toContain(domain);
    for (const address of Object.values(expected().server_addresses).flat()) expect(text).toContain(address);
    expect(text).toContain('rejump@eraqron.shop');
    expect(text).toContain('jump@eraqron.shop');
  });

  it('shows the 13-entry timeline in order', () => {
    expect(inputs.timeline).toHaveLength(13);
    let from = text.indexOf('Key timeline (UTC)', text.indexOf('Key timeline (UTC)') + 1);
    for (const entry of inputs.timeline!) {
      const at = text.indexOf(entry.description, from + 1);
      expect(at, entry.description).toBeGreaterThan(from);
      from = at;
    }
  });

  it('uses analysis stages without inputs', async () => {
    const pdf = join(work, 'vip-analysis.pdf');
    await services.exportReport(join(work, 'case'), { out: pdf });
    const analysed = pdfText(pdf);
    for (const title of ['Staging', 'IP discovery', 'Geolocation', 'C2 channel', 'Exfiltration']) expect(analysed).toContain(title);
    expect(analysed).toContain('smtp-from-endpoint');
    expect(analysed).toContain('T1016');
    const flow = analysed.slice(analysed.lastIndexOf('Incident flow'), analysed.lastIndexOf('Indicators of compromise'));
    expect(flow).toContain('1. Staging');
    expect(flow).not.toContain('10.1.9.101');
  }, 60_000);

  it('shows every stage and the evidence hash', () => {
    for (const stage of VIP_STAGES) expect(text).toContain(stage.title);
    expect(text).toContain(expected().pcap.sha256);
    expect(text).toContain('tshark');
  });
});

describeWithShared('report bad input', () => {
  it('wrong passphrase writes nothing', async () => {
    const work = tempDir();
    const caseDir = await corpusCase(work);
    const p12 = writeCertificate(work);
    const out = join(work, 'out');
    execFileSync('mkdir', [out]);
    const result = runNetcase(['report', caseDir, '--out', join(out, 'r.pdf'), '--sign', p12], { env: { NETCASE_P12_PASSPHRASE: 'not the passphrase' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Wrong passphrase');
    expect(readdirSync(out)).toEqual([]);
  }, 30_000);

  it('missing output folder is named', async () => {
    const work = tempDir();
    const caseDir = await corpusCase(work);
    const result = runNetcase(['report', caseDir, '--out', join(work, 'no-such-folder', 'r.pdf')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no-such-folder');
    expect(result.stderr).toContain('does not exist');
  }, 30_000);
});

it('case without events is refused', async () => {
  const work = tempDir();
  const caseDir = join(work, 'empty');
  createCase(caseDir, { name: 'Empty', analyst: 'Ana Lyst' });
  const result = runNetcase(['report', caseDir, '--out', join(work, 'r.pdf')]);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('has no events');
  expect(existsSync(join(work, 'r.pdf'))).toBe(false);
});
