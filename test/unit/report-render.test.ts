import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNarrative } from '../../main/report/format.js';
import { generateDrafts } from '../../main/report/drafts.js';
import { renderMarkdown } from '../../main/report/markdown.js';
import { renderReportPdf } from '../../main/report/pdf/render-report.js';
import { ReportLayout } from '../../main/report/pdf/layout.js';
import type { ReportModel, ReportStage } from '../../main/report/report-model.js';
import { tempDir } from '../helpers/temp.js';

const START = 1_767_981_883_417_000;

function model(overrides: Partial<ReportModel> = {}): ReportModel {
  return {
    format: 'netcase-report',
    version: 1,
    generatedAt: '2026-01-10T09:00:00.000Z',
    case: { id: 'case-1234', name: 'Pipe | case', analyst: 'Ana Lyst', created: '2026-01-10T08:00:00.000Z', timeZone: 'UTC' },
    timeRange: { first: START, last: START + 23_000_000 },
    engine: { name: 'tshark', version: 'TShark 4.0.17', allowBadChecksums: true },
    evidence: [{ file: 'capture.pcap', storedPath: 'evidence/x-capture.pcap', kind: 'capture', size: 10, sha256: 'a'.repeat(64), status: 'changed', actualSha256: 'b'.repeat(64) }],
    events: { total: 3, byLog: [{ log: 'dns', count: 3 }] },
    narrative: {
      'executive-summary': { text: 'First paragraph.\n\nSecond *paragraph*.', source: 'analyst' },
      'recommended-actions': { text: 'Containment\n- Isolate the host.\n- Block the domain.', source: 'draft' },
      scope: { text: 'One capture.', source: 'draft' },
    },
    stages: [],
    findingsByStage: [],
    timeline: [{ ts: START, description: 'DNS query: a|b.example', source: 'indicator' }],
    iocs: [{ type: 'domain', title: 'Domains and hosts', entries: [{ type: 'domain', value: 'evil|name.example', verdict: 'malicious', note: 'Pipe | in note', firstSeen: START }] }],
    detections: [],
    limitations: ['TLS hides the content of encrypted sessions.'],
    audit: { verification: { ok: true, entries: 1 }, entries: [{ id: 1, ts: '2026-01-10T08:00:00.000Z', actor: 'Ana Lyst', action: 'case.create', details: '{"name":"x"}' }] },
    ...overrides,
  };
}

describe('parseNarrative', () => {
  it('splits paragraphs and lists', () => {
    expect(parseNarrative('Containment\n- Isolate.\n* Block.\n\nNext line\njoined')).toEqual([
      { kind: 'paragraph', text: 'Containment' },
      { kind: 'list', items: ['Isolate.', 'Block.'] },
      { kind: 'paragraph', text: 'Next line joined' },
    ]);
  });
});

describe('generateDrafts', () => {
  it('names every blockable indicator type', () => {
    const entry = (type: ReportModel['iocs'][number]['type'], value: string, verdict: 'malicious' | 'suspicious' | 'benign') => ({ type, value, verdict, note: '', firstSeen: START });
    const iocs: ReportModel['iocs'] = [
      { type: 'domain', title: 'Domains and hosts', entries: [entry('domain', 'eraqron.shop', 'malicious'), entry('domain', 'checkip.dyndns.org', 'benign')] },
      { type: 'ip', title: 'IP addresses', entries: [entry('ip', '149.154.167.220', 'suspicious')] },
      { type: 'email', title: 'E-mail addresses', entries: [entry('email', 'rejump@eraqron.shop', 'malicious')] },
    ];

    const actions = generateDrafts(model({ iocs }))['recommended-actions'];

    expect(actions).toContain('- Block or watch the 1 tagged domain(s) at the DNS resolver and web proxy.');
    expect(actions).toContain('- Block or watch the 1 tagged IP address(es) at the firewall.');
    expect(actions).toContain('- Block or watch the 1 tagged e-mail address(es) at the mail gateway, and search the mail logs for them.');
    expect(actions).not.toContain('URL');
  });
});

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(model());

  it('escapes pipes in table cells', () => {
    expect(markdown).toContain('| `evil\\|name.example` | malicious |');
    expect(markdown).toContain('Pipe \\| in note');
    expect(markdown).toContain('DNS query: a\\|b.example');
  });

  it('escapes emphasis from text', () => {
    expect(markdown).toContain('Second \\*paragraph\\*.');
  });

  it('states changed evidence and engine', () => {
    expect(markdown).toContain(`changed, now ${'b'.repeat(64)}`);
    expect(markdown).toContain('TShark 4.0.17 (tshark, bad checksums allowed)');
    expect(markdown).toContain('- Isolate the host.');
  });
});

describe('renderReportPdf', () => {
  it('continues a long flow diagram', async () => {
    const stages: ReportStage[] = Array.from({ length: 25 }, (_, i) => ({ id: `s${i}`, title: `Stage number ${i + 1}`, start: START + i * 1_000_000, end: START + i * 1_000_000 + 500_000, indicators: [`host-${i}.example`] }));
    const rendered = await renderReportPdf(model({ stages, findingsByStage: stages.map((stage) => ({ stage, findings: [] })) }));
    const path = join(tempDir(), 'long.pdf');
    writeFileSync(path, rendered.pdf);
    const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
    const pages = text.split('\f').filter((page) => page.trim() !== '');
    expect(pages).toHaveLength(rendered.pages);
    expect(text).toContain('25. Stage number 25');
    expect(text).toContain(`case-1234 · page ${rendered.pages} of ${rendered.pages}`);
    const flowPages = pages.filter((page) => /\d+\. Stage number \d+\s*\n\s*host-/.test(page));
    expect(flowPages.length).toBeGreaterThan(1);
  });

  it('keeps indicator values on one line', async () => {
    const sha256 = '11d055385e970893ca082f53939217864284369515cc119cecda103421c09849';
    const iocs: ReportModel['iocs'] = [
      { type: 'domain', title: 'Domains and hosts', entries: [{ type: 'domain', value: 'firebasestorage.googleapis.com', verdict: 'malicious', note: 'Suggested by a detection rule; accepted by the analyst.', firstSeen: START }] },
      { type: 'hash', title: 'File hashes', entries: [{ type: 'hash', value: sha256, verdict: 'malicious', note: 'Attachment', firstSeen: START }] },
    ];
    const evidence: ReportModel['evidence'] = [{ file: 'capture.pcap', storedPath: 'evidence/x-capture.pcap', kind: 'capture', size: 95097, sha256, status: 'verified' }];
    const rendered = await renderReportPdf(model({ iocs, evidence }));
    const path = join(tempDir(), 'indicators.pdf');
    writeFileSync(path, rendered.pdf);

    // Without -layout, pdftotext gives each wrapped piece of a cell its own line.
    const lines = execFileSync('pdftotext', [path, '-'], { encoding: 'utf8' }).split('\n');

    expect(lines).toContain('firebasestorage.googleapis.com');
    expect(lines.filter((line) => line === sha256)).toHaveLength(2);
  });

  it('moves a table header with its first row', async () => {
    const layout = new ReportLayout({ title: 't', author: 'a', subject: 's' });
    const chunks: Buffer[] = [];
    layout.doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise((resolve) => layout.doc.on('end', resolve));
    layout.addPage();
    // Leaves room for the header row but not for a first row of several lines.
    layout.doc.y = layout.bottom - 50;
    const tallCell = Array.from({ length: 8 }, (_, index) => `line ${index}`).join('\n');

    layout.table([{ header: 'Action', width: 0.5 }, { header: 'Details', width: 0.5 }], [['case.create', tallCell]]);
    layout.doc.end();
    await ended;
    const path = join(tempDir(), 'table.pdf');
    writeFileSync(path, Buffer.concat(chunks));

    const page = (number: number) => execFileSync('pdftotext', ['-f', String(number), '-l', String(number), path, '-'], { encoding: 'utf8' });
    expect(page(1)).not.toContain('Action');
    expect(page(2)).toContain('Action');
    expect(page(2)).toContain('case.create');
  });

  it('writes the creation time like the others', async () => {
    const rendered = await renderReportPdf(model());
    const path = join(tempDir(), 'created.pdf');
    writeFileSync(path, rendered.pdf);

    const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });

    expect(text).toMatch(/Case created +2026-01-10 08:00:00\.000 UTC/);
  });

  it('wraps audit details between values', async () => {
    const details = JSON.stringify({ action: 'evidence.verify', files: Array.from({ length: 12 }, (_, index) => `capture-${index}.pcap`) });
    const audit: ReportModel['audit'] = { verification: { ok: true, entries: 1 }, entries: [{ id: 1, ts: '2026-01-10T08:00:00.000Z', actor: 'Ana Lyst', action: 'watchlist.import', details }] };
    const rendered = await renderReportPdf(model({ audit }));
    const path = join(tempDir(), 'audit.pdf');
    writeFileSync(path, rendered.pdf);

    const text = execFileSync('pdftotext', [path, '-'], { encoding: 'utf8' });

    expect(text).toContain('watchlist.import');
    for (let index = 0; index < 12; index++) expect(text).toContain(`"capture-${index}.pcap"`);
  });
});

