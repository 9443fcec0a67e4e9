import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpenCase } from '../../main/case/case-folder.js';
import { importLogs } from '../../main/ingest/importer.js';
import { runDetections } from '../../main/analysis/findings.js';
import { buildGraph } from '../../main/analysis/graph.js';
import { loadRules } from '../../main/analysis/rules.js';
import { countEvents, searchEvents } from '../../main/analysis/event-search.js';
import { buildTimeline } from '../../main/analysis/timeline.js';
import { rebuildAnalysis } from '../../main/analysis/indexer.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';
import { caseWithLogs, unmaskBaseline } from '../helpers/analysis-case.js';

const TRACES = sharedPath('corpus/zeek-traces');
const START = 1_700_000_000;

let opened: OpenCase | undefined;
afterEach(() => {
  opened?.close();
  opened = undefined;
});

async function caseFromBaselines(relativePaths: string[], stepSeconds = 1): Promise<OpenCase> {
  const dir = tempDir('netcase-baselines-');
  const logs = relativePaths.map((path) => unmaskBaseline(join(TRACES, path), dir, START, stepSeconds));
  opened = await caseWithLogs(logs);
  return opened;
}

function findingsOf(db: OpenCase['db'], window: { from?: number; to?: number } = {}) {
  return runDetections(db, { ...window, rules: loadRules() });
}

describeWithShared('analysis of the Zeek trace baselines', () => {
  it('flags the stealer form POST as high severity', async () => {
    const { db } = await caseFromBaselines(['http-ctu-62604-c2sock/baseline/scripts.base.protocols.http.ctu-agent-tesla/http.log.cut']);

    const result = findingsOf(db);
    const post = result.findings.find((finding) => finding.rule === 'http-form-post-rare-host');
    expect(post).toBeDefined();
    expect(post!.severity).toBe('high');
    expect(post!.technique).toBe('T1041');
    expect(post!.flags).toContain('file-upload');
    expect(post!.entities).toContainEqual({ kind: 'host', value: '45.9.74.78' });
    expect(post!.entities).toContainEqual({ kind: 'user_agent', value: 'TeslaBrowser/5.5' });
    expect(post!.eventIds).toHaveLength(1);
    expect(result.stages.map((stage) => stage.stage)).toEqual(['exfiltration']);
    expect(result.suggestedIocs).toContainEqual(expect.objectContaining({ kind: 'host', value: '45.9.74.78' }));
    expect(result.suggestedIocs.find((ioc) => ioc.value === '192.168.1.108')).toBeUndefined();
  });

  it('reports the four PE files of the FTP session', async () => {
    const { db } = await caseFromBaselines(['ftp-pe-transfer/baseline/scripts.base.files.pe.basic/pe.log']);

    const executables = findingsOf(db).findings.filter((finding) => finding.rule === 'executable-download');
    expect(executables).toHaveLength(1);
    expect(executables[0]!.eventIds).toHaveLength(4);
    expect(executables[0]!.technique).toBe('T1105');
    expect(executables[0]!.first).toBe(START * 1_000_000);
    expect(executables[0]!.last).toBe((START + 3) * 1_000_000);
  });

  it('raises no high-severity finding on wikipedia traffic', async () => {
    const { db } = await caseFromBaselines(['conn.log', 'dns.log', 'http.log'].map((name) => `wikipedia-mixed/baseline/opt.basic/${name}`));

    const severe = findingsOf(db).findings.filter((finding) => finding.severity === 'high' || finding.severity === 'critical');
    expect(severe).toEqual([]);
  });

  it('builds the wikipedia graph and narrows it with the window', async () => {
    const { db } = await caseFromBaselines(['conn.log', 'dns.log', 'http.log'].map((name) => `wikipedia-mixed/baseline/opt.basic/${name}`));

    const whole = buildGraph(db, {});
    const client = whole.nodes.find((node) => node.value === '141.142.220.118');
    const site = whole.nodes.find((node) => node.value === 'upload.wikimedia.org');
    expect(client?.internal).toBe(false);
    expect(site?.kind).toBe('domain');
    expect(whole.edges).toContainEqual(expect.objectContaining({ kind: 'reached_http', source: client!.id, target: site!.id, count: 12 }));

    // Each file's records are one second apart from START, so the first five seconds hold the
    // first five records of each log.
    const early = buildGraph(db, { from: START * 1_000_000, to: (START + 5) * 1_000_000 });
    const earlyTotal = early.edges.reduce((sum, edge) => sum + edge.count, 0);
    const wholeTotal = whole.edges.reduce((sum, edge) => sum + edge.count, 0);
    expect(earlyTotal).toBeGreaterThan(0);
    expect(earlyTotal).toBeLessThan(wholeTotal);
    const httpEarly = early.edges.filter((edge) => edge.kind === 'reached_http').reduce((sum, edge) => sum + edge.count, 0);
    expect(httpEarly).toBe(5);

    const earlyHostsAndDomains = buildGraph(db, { from: START * 1_000_000, to: (START + 5) * 1_000_000, kinds: ['host', 'domain'] });
    const expected = early.edges.filter((edge) => ['queried', 'resolved_to', 'alias_of', 'connected', 'reached_tls', 'reached_http'].includes(edge.kind));
    expect(earlyHostsAndDomains.edges.map((edge) => edge.id).sort()).toEqual(expected.map((edge) => edge.id).sort());
    const cappedEarly = buildGraph(db, { from: START * 1_000_000, to: (START + 5) * 1_000_000, maxEdges: 2 });
    expect(cappedEarly.edges.map((edge) => edge.count)).toEqual(early.edges.slice(0, 2).map((edge) => edge.count));
    expect(cappedEarly.more.edges).toBe(early.edges.length - 2);
    expect(cappedEarly.more.nodes).toBe(early.nodes.length - cappedEarly.nodes.length);
  });

  it('caps the graph and counts what was left out', async () => {
    const { db } = await caseFromBaselines(['conn.log', 'dns.log', 'http.log'].map((name) => `wikipedia-mixed/baseline/opt.basic/${name}`));

    const all = buildGraph(db, {});
    const capped = buildGraph(db, { maxEdges: 3 });
    expect(capped.edges).toHaveLength(3);
    expect(capped.more.edges).toBe(all.edges.length - 3);
    expect(capped.more.nodes).toBe(all.nodes.length - capped.nodes.length);
    const onlyDomains = buildGraph(db, { kinds: ['host', 'domain'] });
    expect(onlyDomains.nodes.every((node) => node.kind === 'host' || node.kind === 'domain')).toBe(true);
    const frequent = buildGraph(db, { minCount: 5 });
    expect(frequent.edges.every((edge) => edge.count >= 5)).toBe(true);
  });

  it('timeline sums over minute and hour buckets', async () => {
    // 997 s between records spreads the 34 records of the longest log over about nine hours.
    const { db } = await caseFromBaselines(['conn.log', 'dns.log', 'http.log'].map((name) => `wikipedia-mixed/baseline/opt.basic/${name}`), 997);
    const countIn = (from: number, to: number) => db.prepare('SELECT COUNT(*) FROM events WHERE ts >= ? AND ts < ?').pluck().get(from, to) as number;
    expect(db.prepare(`SELECT COUNT(*) FROM event_buckets WHERE typeof(bucket) != 'integer'`).pluck().get()).toBe(0);

    const second = 1_000_000;
    for (const [from, to] of [
      [START * second, (START + 86_400) * second],
      [(START + 1234.5) * second, (START + 50_000.25) * second],
      [(START + 3600) * second, (START + 7 * 3600) * second],
    ] as const) {
      for (const buckets of [3, 12, 60, 500]) {
        const timeline = buildTimeline(db, { from, to, buckets });
        expect(timeline.total, `${from}..${to} in ${buckets} buckets of ${timeline.bucketSeconds} s`).toBe(countIn(from, to));
        expect(timeline.buckets.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(timeline.total);
      }
    }
    const whole = buildTimeline(db, { buckets: 10 });
    expect(whole.bucketSeconds).toBe(3600);
    expect(whole.total).toBe(db.prepare('SELECT COUNT(*) FROM events').pluck().get());
  });

  it('flags the SMTP session tunnelled through an HTTP proxy', async () => {
    const base = 'http-connect-smtp-spam/baseline/scripts.base.protocols.http.http-connect';
    const { db } = await caseFromBaselines([`${base}/conn.log`, `${base}/http.log`, `${base}/smtp.log`]);

    const smtp = findingsOf(db).findings.find((finding) => finding.rule === 'smtp-from-endpoint');
    expect(smtp).toBeDefined();
    expect(smtp!.technique).toBe('T1048.003');
    expect(smtp!.entities).toContainEqual({ kind: 'email', value: 'nhfjenna_neumann@lycos.com' });
    expect(smtp!.entities).toContainEqual({ kind: 'email', value: 'thenightwatch@t-online.de' });
    expect(smtp!.entities).toContainEqual({ kind: 'host', value: '254.228.86.79' });
  });
});

describeWithShared('analysis of the Zeek documentation examples', () => {
  const examples = sharedPath('corpus/zeek-logs/zeek-docs-json-examples');

  it('records mail, DNS and TLS relations', async () => {
    const { db } = (opened = await caseWithLogs([join(examples, 'smtp.ndjson'), join(examples, 'dns.ndjson'), join(examples, 'ssl.ndjson')]));

    const relation = (kind: string, source: string, target: string) =>
      db
        .prepare(`SELECT r.count, r.detail FROM relations r JOIN entities s ON s.id = r.source_id JOIN entities t ON t.id = r.target_id
          WHERE r.kind = ? AND s.value = ? AND t.value = ?`)
        .get(kind, source, target) as { count: number; detail: string } | undefined;
    expect(relation('mailed', 'gurpartap@patriots.in', 'raj_deol2002in@yahoo.co.in')?.detail).toBe('74.53.140.153');
    expect(relation('address_in', 'gurpartap@patriots.in', 'patriots.in')).toBeDefined();
    expect(relation('queried', '172.17.0.2', 'zeek.org')).toBeDefined();
    expect(relation('resolved_to', 'zeek.org', '192.0.78.150')).toBeDefined();
    expect(relation('reached_tls', '192.168.4.49', 'www.taosecurity.com')).toBeDefined();
  });

  it('keeps entity counts current on re-import', async () => {
    const { db } = (opened = await caseWithLogs([join(examples, 'dns.ndjson')]));
    const count = () => db.prepare(`SELECT count FROM entities WHERE kind = 'domain' AND value = 'zeek.org'`).pluck().get() as number;
    const before = count();
    expect(before).toBeGreaterThan(0);

    await importLogs(db, [join(examples, 'dns.ndjson')], { actor: 'Test Analyst' });
    expect(count()).toBe(before);

    // Same records one minute later: new content, so the import adds them.
    const copy = join(tempDir(), 'dns.ndjson');
    writeFileSync(copy, readFileSync(join(examples, 'dns.ndjson'), 'utf8').replaceAll('"ts":1774911641', '"ts":1774911700'));
    await importLogs(db, [copy], { actor: 'Test Analyst' });
    expect(count()).toBe(before * 2);
  });

  it('rebuilds the analysis tables identically', async () => {
    const { db } = (opened = await caseWithLogs(['http.ndjson', 'dns.ndjson', 'smtp.ndjson', 'ssl.ndjson'].map((name) => join(examples, name))));
    const snapshot = () => ({
      entities: db.prepare('SELECT kind, value, count, first_ts, last_ts FROM entities ORDER BY kind, value').all(),
      relations: db.prepare('SELECT kind, detail, count, bytes, first_ts, last_ts FROM relations ORDER BY kind, detail, first_ts, count').all(),
      buckets: db.prepare('SELECT width, SUM(count) AS count FROM relation_buckets GROUP BY width').all(),
      links: db.prepare('SELECT COUNT(*) FROM entity_events').pluck().get(),
      text: db.prepare(`SELECT COUNT(*) FROM events_fts WHERE events_fts MATCH 'taosecurity'`).pluck().get(),
    });
    const before = snapshot();

    rebuildAnalysis(db);
    expect(snapshot()).toEqual(before);
  });

  it('finds events by entity, text and uid', async () => {
    const { db } = (opened = await caseWithLogs([join(examples, 'http.ndjson'), join(examples, 'dns.ndjson'), join(examples, 'conn.ndjson')]));

    const byDomain = searchEvents(db, { entity: { kind: 'domain', value: 'testmyids.com' } });
    expect(byDomain.events.length).toBeGreaterThan(0);
    expect(byDomain.events.every((event) => event.record.includes('testmyids.com'))).toBe(true);

    const byText = searchEvents(db, { text: 'curl*' });
    expect(byText.events.length).toBeGreaterThan(0);
    expect(byText.events.every((event) => event.record.includes('curl'))).toBe(true);

    const uid = byDomain.events[0]!.uid!;
    const byUid = searchEvents(db, { uid });
    expect(byUid.events.every((event) => event.uid === uid)).toBe(true);

    const byHost = searchEvents(db, { entity: { kind: 'host', value: '31.3.245.133' } });
    expect(byHost.events.length).toBeGreaterThan(0);
    expect(byHost.events.every((event) => event.record.includes('31.3.245.133'))).toBe(true);
    expect(searchEvents(db, { entity: { kind: 'domain', value: 'not-in-this-case.example' } }).events).toEqual([]);
  });
});

describe('event counts', () => {
  it('match the events with and without timestamps', async () => {
    const dir = tempDir();
    const records = [
      { ts: 1767981600.5, uid: 'C1', query: 'a.example.org' },
      { ts: 1767981601.25, uid: 'C2', query: 'b.example.org' },
      { uid: 'C3', query: 'c.example.org' },
    ];
    writeFileSync(join(dir, 'dns.ndjson'), records.map((record) => JSON.stringify(record)).join('\n'));
    writeFileSync(join(dir, 'conn.ndjson'), JSON.stringify({ ts: 1767981601.75, uid: 'C4', proto: 'udp' }));
    const { db } = (opened = await caseWithLogs([join(dir, 'dns.ndjson'), join(dir, 'conn.ndjson')]));

    expect(countEvents(db, {})).toBe(4);
    expect(countEvents(db, { log: 'dns' })).toBe(3);
    expect(countEvents(db, { from: 1767981600_500000 })).toBe(3);
    expect(countEvents(db, { from: 1767981600_500001, to: 1767981601_750000, log: 'dns' })).toBe(1);
    expect(countEvents(db, { text: 'example' })).toBe(3);
    expect(searchEvents(db, {}).events.map((event) => event.uid)).toEqual(['C1', 'C2', 'C4', 'C3']);
    expect(searchEvents(db, { limit: 2, offset: 2 }).events.map((event) => event.uid)).toEqual(['C4', 'C3']);
    expect(searchEvents(db, { limit: 2, offset: 2 }).hasMore).toBe(false);
    expect(searchEvents(db, { limit: 1, offset: 3 }).events.map((event) => event.uid)).toEqual(['C3']);
    expect(searchEvents(db, { limit: 2 }).hasMore).toBe(true);
    expect(searchEvents(db, { from: 1767981600_000000 }).events.map((event) => event.uid)).toEqual(['C1', 'C2', 'C4']);
  });
});

describe('HTTP rules', () => {
  it('find executables and form posts', async () => {
    const dir = tempDir();
    const base = { 'id.orig_h': '10.0.0.5', 'id.orig_p': 50000, 'id.resp_h': '203.0.113.7', 'id.resp_p': 80, host: 'files.example.net' };
    const records = [
      { ...base, ts: 1767981600, uid: 'C1', method: 'GET', uri: '/a', response_body_len: 5000, resp_mime_types: ['application/x-dosexec'] },
      { ...base, ts: 1767981601, uid: 'C2', method: 'GET', uri: '/tools/Setup.EXE?x=1', response_body_len: 5000, resp_mime_types: ['application/octet-stream'] },
      { ...base, ts: 1767981602, uid: 'C3', method: 'GET', uri: '/index.html', response_body_len: 300, resp_mime_types: ['text/html'] },
      { ...base, ts: 1767981603, uid: 'C4', method: 'post', uri: '/upload', request_body_len: 900, orig_filenames: ['data.zip'] },
      { ...base, ts: 1767981604, uid: 'C5', method: 'POST', uri: '/empty', request_body_len: 0 },
    ];
    writeFileSync(join(dir, 'http.ndjson'), records.map((record) => JSON.stringify(record)).join('\n'));
    const { db } = (opened = await caseWithLogs([join(dir, 'http.ndjson')]));
    const uidsOf = (finding: { eventIds: number[] } | undefined) =>
      (finding?.eventIds ?? []).map((id) => db.prepare('SELECT uid FROM events WHERE id = ?').pluck().get(id));

    const result = findingsOf(db);
    const executables = result.findings.find((finding) => finding.rule === 'executable-download');
    expect(uidsOf(executables)).toEqual(['C1', 'C2']);
    expect(executables?.entities).toContainEqual({ kind: 'host', value: '10.0.0.5' });
    const post = result.findings.find((finding) => finding.rule === 'http-form-post-rare-host');
    expect(uidsOf(post)).toEqual(['C4']);
    expect(post?.severity).toBe('high');
    expect(post?.flags).toContain('file-upload');
  });
});

describe('upload and webhook rules', () => {
  it('find FTP uploads and Discord webhooks', async () => {
    const dir = tempDir();
    const ftp = [
      { ts: 1767981600, uid: 'F1', 'id.orig_h': '192.168.5.20', 'id.orig_p': 40000, 'id.resp_h': '203.0.113.40', 'id.resp_p': 21, user: 'u', command: 'STOR', arg: 'ftp://203.0.113.40/loot.zip', reply_code: 226 },
      { ts: 1767981601, uid: 'F1', 'id.orig_h': '192.168.5.20', 'id.orig_p': 40000, 'id.resp_h': '203.0.113.40', 'id.resp_p': 21, user: 'u', command: 'RETR', arg: 'ftp://203.0.113.40/readme.txt', reply_code: 226 },
      { ts: 1767981602, uid: 'F2', 'id.orig_h': '203.0.113.99', 'id.orig_p': 40001, 'id.resp_h': '192.168.5.21', 'id.resp_p': 21, user: 'u', command: 'STOR', arg: 'ftp://192.168.5.21/in.txt', reply_code: 226 },
    ];
    const http = [
      { ts: 1767981603, uid: 'H1', 'id.orig_h': '192.168.5.20', 'id.orig_p': 40002, 'id.resp_h': '203.0.113.50', 'id.resp_p': 80, method: 'POST', host: 'discord.com', uri: '/api/webhooks/123/abc', request_body_len: 50 },
      { ts: 1767981604, uid: 'H2', 'id.orig_h': '192.168.5.20', 'id.orig_p': 40003, 'id.resp_h': '203.0.113.50', 'id.resp_p': 80, method: 'GET', host: 'discord.com', uri: '/channels/1', request_body_len: 0 },
      { ts: 1767981605, uid: 'H3', 'id.orig_h': '192.168.5.20', 'id.orig_p': 40004, 'id.resp_h': '203.0.113.60', 'id.resp_p': 80, method: 'GET', host: 'api.ipify.org', uri: '/', request_body_len: 0 },
      { ts: 1767981699, uid: 'H4', 'id.orig_h': '192.168.5.20', 'id.orig_p': 40005, 'id.resp_h': '203.0.113.60', 'id.resp_p': 80, method: 'GET', host: 'api.ipify.org', uri: '/', request_body_len: 0 },
    ];
    writeFileSync(join(dir, 'ftp.ndjson'), ftp.map((record) => JSON.stringify(record)).join('\n'));
    writeFileSync(join(dir, 'http.ndjson'), http.map((record) => JSON.stringify(record)).join('\n'));
    const { db } = (opened = await caseWithLogs([join(dir, 'ftp.ndjson'), join(dir, 'http.ndjson')]));
    const uidsOf = (finding: { eventIds: number[] } | undefined) =>
      (finding?.eventIds ?? []).map((id) => db.prepare('SELECT uid FROM events WHERE id = ?').pluck().get(id));

    const result = findingsOf(db);
    const uploads = result.findings.filter((finding) => finding.rule === 'ftp-upload-from-endpoint');
    expect(uploads).toHaveLength(1);
    expect(uidsOf(uploads[0])).toEqual(['F1']);
    expect(uploads[0]!.entities).toContainEqual({ kind: 'url', value: 'ftp://203.0.113.40/loot.zip' });

    const webhook = result.findings.find((finding) => finding.rule === 'messaging-api-from-endpoint');
    expect(uidsOf(webhook)).toEqual(['H1']);
    expect(webhook?.entities).toContainEqual({ kind: 'url', value: 'http://discord.com/api/webhooks/123/abc' });

    expect(uidsOf(result.findings.find((finding) => finding.rule === 'public-ip-lookup'))).toEqual(['H3', 'H4']);
    expect(result.findings.find((finding) => finding.rule === 'public-ip-lookup-burst')).toBeUndefined();
  });
});
