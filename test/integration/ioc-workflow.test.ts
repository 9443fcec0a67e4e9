import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { listAudit } from '../../main/case/audit.js';
import { CASE_DATABASE } from '../../main/case/case-file.js';
import { importLogs } from '../../main/ingest/importer.js';
import { CSV_COLUMNS } from '../../main/iocs/export-csv.js';
import { parseCsv } from '../../main/iocs/csv.js';
import { parsePattern } from '../../main/iocs/stix-pattern.js';
import { createServices } from '../../main/services.js';
import { runNetcase } from '../helpers/cli.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';
import { stixBundleValidator } from '../helpers/stix.js';

// Stratosphere CTU-Malware-Capture-Botnet-355-1 (Simda): DGA domains contacted over HTTP.
const SIMDA_LOGS = () => sharedPath('corpus/zeek-logs/stratosphere-security-datasets-for-testing/005-zeek-scenario-malicious');
const SIMDA_UA = 'Mozilla/4.0 (compatible; MSIE 2.0; Windows NT 5.0; Trident/4.0; SLCC2; .NET CLR 2.0.50727; .NET CLR 3.5.30729; .NET CLR 3.0.30729; Media Center PC 6.0)';

const services = createServices('netcase-test');

/** Builds a case from the Simda logs in `parent` (a fresh temporary folder by default). */
async function simdaCase(parent = tempDir()): Promise<string> {
  const dir = join(parent, 'case');
  createCase(dir, { name: 'Simda botnet', analyst: 'Ana Lyst' });
  const opened = openCase(dir, { write: true });
  try {
    await importLogs(opened.db, [SIMDA_LOGS()], { actor: opened.actor });
  } finally {
    opened.close();
  }
  return dir;
}

/** Tags the case the way an analyst would after reading the DGA traffic. */
async function tagAsAnalyst(dir: string): Promise<void> {
  await services.tagIoc(dir, { value: 'gatyfus.com', verdict: 'malicious', tags: ['simda', 'dga'], note: 'First DGA domain that answered /login.php', confidence: 85 });
  await services.tagIoc(dir, { value: 'LYVYXOR.com.', verdict: 'malicious', tags: ['simda', 'dga'] });
  await services.tagIoc(dir, { value: 'qexylup.com', verdict: 'suspicious', tags: ['dga'] });
  await services.tagIoc(dir, { value: '67.55.121.97', verdict: 'malicious', tags: ['simda'] });
  await services.tagIoc(dir, { value: '208.100.26.251', verdict: 'suspicious' });
  await services.tagIoc(dir, { value: '8.8.8.8', verdict: 'benign', note: 'Public resolver used by the infected host' });
  await services.tagIoc(dir, { value: 'http://gatyfus.com/login.php', verdict: 'malicious' });
  await services.tagIoc(dir, { value: SIMDA_UA, type: 'user-agent', verdict: 'malicious', tags: ['simda'] });
  await services.tagIoc(dir, { value: 'd41d8cd98f00b204e9800998ecf8427e', verdict: 'unknown' });
}

describeWithShared('IOC workflow on the Simda corpus logs', () => {
  let caseDir: string;
  let stix: { objects: Record<string, unknown>[]; type: string; id: string };

  // Shared by the tests below, so it lives outside tempDir(), which is emptied after each test.
  const sharedParent = mkdtempSync(join(tmpdir(), 'netcase-ioc-'));
  afterAll(() => rmSync(sharedParent, { recursive: true, force: true }));

  beforeAll(async () => {
    caseDir = await simdaCase(sharedParent);
    await tagAsAnalyst(caseDir);
    stix = JSON.parse((await services.exportIocs(caseDir, { format: 'stix' })).text) as typeof stix;
  });

  it('lists sightings per indicator', async () => {
    const iocs = await services.listIocs(caseDir);
    const domain = iocs.find((ioc) => ioc.value === 'gatyfus.com')!;
    expect(domain.sighting.events).toBeGreaterThan(0);
    expect(domain.sighting.logs.http).toBeGreaterThan(0);
    expect(domain.sighting.logs.dns).toBeGreaterThan(0);
    expect(domain.sighting.hosts).toContain('192.168.1.116');
    expect(domain.sighting.firstSeen).toBeLessThanOrEqual(domain.sighting.lastSeen!);
    const url = iocs.find((ioc) => ioc.type === 'url')!;
    expect(url.sighting.logs).toEqual({ http: url.sighting.events });
    expect(iocs.find((ioc) => ioc.type === 'md5')!.sighting.events).toBe(0);
  });

  it('stores one row per normalised value', async () => {
    await services.tagIoc(caseDir, { value: 'Lyvyxor.COM', verdict: 'malicious', tags: ['c2'] });
    const matching = (await services.listIocs(caseDir)).filter((ioc) => ioc.value === 'lyvyxor.com');
    expect(matching).toHaveLength(1);
    expect(matching[0]!.tags).toEqual(['c2', 'dga', 'simda']);
  });

  it('exports a STIX bundle the schemas accept', () => {
    const { bundle, byType } = stixBundleValidator();
    expect(bundle(stix), JSON.stringify(bundle.errors?.slice(0, 3))).toBe(true);
    // Each object is also checked against the schema of its type, so a failure names the object.
    for (const object of stix.objects) {
      const validate = byType(object.type as string);
      expect(validate(object), `${object.id as string}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
  });

  it('schema check rejects a broken indicator', () => {
    const { byType } = stixBundleValidator();
    const indicator = { ...stix.objects.find((object) => object.type === 'indicator')! };
    delete indicator.valid_from;
    expect(byType('indicator')(indicator)).toBe(false);
    expect(byType('indicator')({ ...indicator, valid_from: '2026-01-01T00:00:00Z', id: 'indicator--not-a-uuid' })).toBe(false);
  });

  it('exports parseable patterns for each IOC', async () => {
    const iocs = await services.listIocs(caseDir);
    const indicators = stix.objects.filter((object) => object.type === 'indicator');
    expect(indicators).toHaveLength(iocs.length);
    for (const indicator of indicators) {
      const parsed = parsePattern(indicator.pattern as string);
      expect(parsed.status, indicator.pattern as string).toBe('ok');
    }
  });

  it('exports sightings and relationships', () => {
    const types = stix.objects.map((object) => object.type);
    expect(types).toContain('identity');
    expect(types).toContain('sighting');
    expect(types).toContain('observed-data');
    const relationships = stix.objects.filter((object) => object.type === 'relationship');
    expect(relationships.some((relationship) => relationship.relationship_type === 'based-on')).toBe(true);
    const resolvesTo = relationships.filter((relationship) => relationship.relationship_type === 'resolves-to');
    const gatyfus = stix.objects.find((object) => object.type === 'domain-name' && object.value === 'gatyfus.com')!;
    const address = stix.objects.find((object) => object.type === 'ipv4-addr' && object.value === '67.55.121.97')!;
    expect(resolvesTo.some((relationship) => relationship.source_ref === gatyfus.id && relationship.target_ref === address.id)).toBe(true);
  });

  it('exports the same bytes twice', async () => {
    for (const format of ['csv', 'stix', 'misp'] as const) {
      const first = await services.exportIocs(caseDir, { format });
      const second = await services.exportIocs(caseDir, { format });
      expect(second.text, format).toBe(first.text);
    }
  });

  it('exports every IOC to MISP with its type', async () => {
    const iocs = await services.listIocs(caseDir);
    const event = JSON.parse((await services.exportIocs(caseDir, { format: 'misp' })).text) as { Event: { Attribute: Record<string, unknown>[]; uuid: string } };
    const attributes = event.Event.Attribute;
    expect(attributes).toHaveLength(iocs.length);
    const expectedTypes: Record<string, string> = { domain: 'domain', ipv4: 'ip-dst', url: 'url', 'user-agent': 'user-agent', md5: 'md5' };
    for (const ioc of iocs) {
      const attribute = attributes.find((candidate) => candidate.value === ioc.value);
      expect(attribute, ioc.value).toBeDefined();
      expect(attribute!.type, ioc.value).toBe(expectedTypes[ioc.type]);
      expect(attribute!.to_ids, ioc.value).toBe(ioc.verdict === 'malicious');
    }
    expect(event.Event.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('exports CSV with the documented columns', async () => {
    const text = (await services.exportIocs(caseDir, { format: 'csv' })).text;
    const { rows, problems } = parseCsv(text);
    expect(problems).toEqual([]);
    expect(rows[0]!.fields).toEqual([...CSV_COLUMNS]);
    const iocs = await services.listIocs(caseDir);
    expect(rows).toHaveLength(iocs.length + 1);
    const uaRow = rows.find((row) => row.fields[0] === 'user-agent')!;
    expect(uaRow.fields[1]).toBe(SIMDA_UA);
    expect(Number(uaRow.fields[CSV_COLUMNS.indexOf('events')])).toBeGreaterThan(0);
  });

  it('round trips STIX and CSV exports as watchlists', async () => {
    const iocs = await services.listIocs(caseDir);
    const seen = iocs.filter((ioc) => ioc.sighting.events > 0).map((ioc) => `${ioc.type}:${ioc.value}`).sort();
    const fresh = await simdaCase();
    for (const format of ['stix', 'csv'] as const) {
      const file = join(tempDir(), `watchlist.${format === 'stix' ? 'json' : 'csv'}`);
      await services.exportIocs(caseDir, { format, out: file });
      const result = await services.importWatchlist(fresh, file);
      expect(result.problems, format).toEqual([]);
      expect(result.unsupported, format).toEqual([]);
      expect(result.entries, format).toBe(iocs.length);
      expect(result.matches.map((match) => `${match.type}:${match.value}`).sort(), format).toEqual(seen);
      for (const match of result.matches) {
        const original = iocs.find((ioc) => ioc.value === match.value)!;
        expect(match.events, match.value).toBe(original.sighting.events);
      }
    }
  });

  it('audits tag changes and notes', async () => {
    const dir = await simdaCase();
    await services.tagIoc(dir, { value: 'gatyfus.com', verdict: 'suspicious', note: 'first look' });
    await services.tagIoc(dir, { value: 'gatyfus.com', verdict: 'malicious', tags: ['c2'] });
    await services.tagIoc(dir, { value: 'gatyfus.com', verdict: 'malicious', note: 'confirmed by HTTP 302 to /login.php' });
    await services.untagIoc(dir, { value: 'gatyfus.com', tags: ['c2'] });
    await services.untagIoc(dir, { value: 'gatyfus.com' });

    const opened = openCase(dir, { write: false });
    const entries = listAudit(opened.db).filter((entry) => entry.action.startsWith('ioc.'));
    opened.close();
    expect(entries.map((entry) => entry.action)).toEqual(['ioc.tag', 'ioc.note', 'ioc.tag', 'ioc.note', 'ioc.untag', 'ioc.untag']);
    expect(JSON.parse(entries[2]!.details)).toMatchObject({ changes: { verdict: { from: 'suspicious', to: 'malicious' }, tags: { from: [], to: ['c2'] } } });
    expect(JSON.parse(entries[3]!.details)).toMatchObject({ note: 'confirmed by HTTP 302 to /login.php', previous: 'first look' });
    expect(entries.every((entry) => entry.actor === 'Ana Lyst')).toBe(true);
  });

  it('audits exports and watchlist imports', async () => {
    const dir = await simdaCase();
    await services.tagIoc(dir, { value: 'gatyfus.com', verdict: 'malicious' });
    const file = join(tempDir(), 'iocs.csv');
    await services.exportIocs(dir, { format: 'csv', out: file });
    await services.importWatchlist(dir, file);

    const opened = openCase(dir, { write: false });
    const entries = listAudit(opened.db);
    opened.close();
    const exported = entries.find((entry) => entry.action === 'ioc.export')!;
    expect(JSON.parse(exported.details)).toMatchObject({ format: 'csv', iocs: 1, out: file });
    const imported = entries.find((entry) => entry.action === 'watchlist.import')!;
    expect(JSON.parse(imported.details)).toMatchObject({ name: 'iocs.csv', format: 'csv', entries: 1, matchedEntries: 1 });
  });

  it('detects a hand-edited audit row', async () => {
    const dir = await simdaCase();
    await services.tagIoc(dir, { value: 'gatyfus.com', verdict: 'malicious', note: 'C2' });
    expect(runNetcase(['audit', 'verify', dir]).status).toBe(0);

    const db = new Database(join(dir, CASE_DATABASE));
    const tagEntry = db.prepare(`SELECT id FROM audit WHERE action = 'ioc.tag'`).get() as { id: number };
    db.prepare('UPDATE audit SET details = replace(details, ?, ?) WHERE id = ?').run('malicious', 'benign', tagEntry.id);
    db.close();

    const result = runNetcase(['audit', 'verify', dir]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`entry ${tagEntry.id}`);
    expect(result.stderr).toContain('edited after it was written');
  });
});

describeWithShared('empty case exports', () => {
  it('are valid empty documents', async () => {
    const dir = join(tempDir(), 'empty');
    createCase(dir, { name: 'Empty', analyst: 'Ana Lyst' });

    const csv = (await services.exportIocs(dir, { format: 'csv' })).text;
    expect(csv).toBe(`${CSV_COLUMNS.join(',')}\r\n`);

    const stix = JSON.parse((await services.exportIocs(dir, { format: 'stix' })).text) as { objects: { type: string }[] };
    const { bundle } = stixBundleValidator();
    expect(bundle(stix), JSON.stringify(bundle.errors)).toBe(true);
    expect(stix.objects.map((object) => object.type)).toEqual(['identity']);

    const misp = JSON.parse((await services.exportIocs(dir, { format: 'misp' })).text) as { Event: { Attribute: unknown[] } };
    expect(misp.Event.Attribute).toEqual([]);
  });
});

describeWithShared('watchlist import', () => {
  it('reports broken CSV lines by number', async () => {
    const dir = await simdaCase();
    const file = join(tempDir(), 'list.csv');
    writeFileSync(file, ['# Simda watchlist', 'gatyfus.com', 'domain,bad domain.com', 'ipv4,300.1.1.1', 'qexylup.com', 'colour,red', '"unclosed', 'ipv4,67.55.121.97', ''].join('\n'));
    const result = await services.importWatchlist(dir, file);
    expect(result.entries).toBe(3);
    expect(result.problems.map((problem) => problem.ref)).toEqual(['line 7', 'line 3', 'line 4', 'line 6']);
    expect(result.problems.find((problem) => problem.ref === 'line 3')!.reason).toMatch(/cannot contain spaces/);
    expect(result.problems.find((problem) => problem.ref === 'line 4')!.reason).toMatch(/300 is out of range/);
    expect(result.matches.map((match) => match.value).sort()).toEqual(['67.55.121.97', 'gatyfus.com', 'qexylup.com']);

    const opened = openCase(dir, { write: false });
    const stored = opened.db.prepare('SELECT COUNT(*) FROM watchlist_matches').pluck().get() as number;
    opened.close();
    expect(stored).toBe(result.matches.reduce((sum, match) => sum + match.events, 0));
  });

  it('reports unsupported STIX patterns', async () => {
    const dir = await simdaCase();
    const file = join(tempDir(), 'bundle.json');
    const indicator = (id: number, pattern: string, patternType = 'stix') => ({
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--00000000-0000-4000-8000-00000000000${id}`,
      created: '2026-01-01T00:00:00.000Z',
      modified: '2026-01-01T00:00:00.000Z',
      pattern,
      pattern_type: patternType,
      valid_from: '2026-01-01T00:00:00Z',
    });
    writeFileSync(
      file,
      JSON.stringify({
        type: 'bundle',
        id: 'bundle--00000000-0000-4000-8000-000000000000',
        objects: [
          indicator(1, "[domain-name:value = 'gatyfus.com' OR domain-name:value = 'lyvyxor.com']"),
          indicator(2, "[domain-name:value LIKE '%.com']"),
          indicator(3, "[ipv4-addr:value = '67.55.121.97'] WITHIN 60 SECONDS"),
          indicator(4, 'alert tcp any any -> any any', 'snort'),
          indicator(5, "[domain-name:value = 'bad domain']"),
          { type: 'identity', spec_version: '2.1', id: 'identity--00000000-0000-4000-8000-000000000009', created: '2026-01-01T00:00:00.000Z', modified: '2026-01-01T00:00:00.000Z', name: 'x' },
        ],
      }),
    );
    const result = await services.importWatchlist(dir, file);
    expect(result.entries).toBe(2);
    expect(result.unsupported.map((problem) => problem.ref.slice(-1))).toEqual(['2', '3', '4']);
    expect(result.problems.map((problem) => problem.ref.slice(-1))).toEqual(['5']);
    expect(result.otherObjects).toBe(1);
    expect(result.matches.map((match) => match.value).sort()).toEqual(['gatyfus.com', 'lyvyxor.com']);
  });
});
