import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { importLogs } from '../../main/ingest/importer.js';
import { normalizeIndicator, type IocType } from '../../main/iocs/ioc-values.js';
import { findSightings } from '../../main/iocs/sightings.js';
import { createServices } from '../../main/services.js';
import { tempDir } from '../helpers/temp.js';

// Hand-written Zeek JSON records, one per line, each with the quirk that the matcher must handle.
const RECORDS = [
  { _path: 'dns', ts: 1700000000.1, uid: 'C1', 'id.orig_h': '10.0.0.5', 'id.orig_p': 5353, 'id.resp_h': '10.0.0.1', 'id.resp_p': 53, proto: 'udp', query: 'EVIL.example.', answers: ['cdn.evil.example', '203.0.113.9'] },
  { _path: 'dns', ts: 1700000001.2, uid: 'C2', 'id.orig_h': '10.0.0.6', 'id.orig_p': 5354, 'id.resp_h': '10.0.0.1', 'id.resp_p': 53, proto: 'udp', query: 'notevil.example', answers: ['203.0.113.99'] },
  { _path: 'http', ts: 1700000002.3, uid: 'C3', 'id.orig_h': '10.0.0.5', 'id.orig_p': 40000, 'id.resp_h': '203.0.113.9', 'id.resp_p': 8080, host: 'evil.example:8080', uri: '/gate.php?id=1', user_agent: 'Agent "quoted" \\ slash' },
  { _path: 'http', ts: 1700000003.4, uid: 'C4', 'id.orig_h': '10.0.0.7', 'id.orig_p': 40001, 'id.resp_h': '203.0.113.10', 'id.resp_p': 8081, host: 'evil.example', uri: '/gate.php?id=1', user_agent: 'Agent "quoted" \\ slash/2' },
  { _path: 'smtp', ts: 1700000004.5, uid: 'C5', 'id.orig_h': '10.0.0.5', 'id.orig_p': 40002, 'id.resp_h': '198.51.100.7', 'id.resp_p': 587, mailfrom: 'jdoe@corp.example', rcptto: ['drop@evil.example'], from: '"J Doe" <jdoe@corp.example>', to: ['xdrop@evil.example'] },
  { _path: 'files', ts: 1700000005.6, fuid: 'F1', md5: 'D41D8CD98F00B204E9800998ECF8427E', sha1: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' },
  { _path: 'ssl', ts: 1700000006.7, uid: 'C6', 'id.orig_h': '10.0.0.8', 'id.orig_p': 40003, 'id.resp_h': '203.0.113.9', 'id.resp_p': 443, server_name: 'evil.example', ja3: 'E7D705A3286E19EA42F587B344EE6865' },
];

async function craftedCase(): Promise<string> {
  const dir = join(tempDir(), 'case');
  createCase(dir, { name: 'Crafted', analyst: 'Ana Lyst' });
  const logs = join(tempDir(), 'logs');
  writeFileSync(`${logs}.log`, `${RECORDS.map((record) => JSON.stringify(record)).join('\n')}\n`);
  const opened = openCase(dir, { write: true });
  try {
    const summary = await importLogs(opened.db, [`${logs}.log`], { actor: opened.actor });
    expect(summary.records).toBe(RECORDS.length);
  } finally {
    opened.close();
  }
  return dir;
}

describe('findSightings', () => {
  const cases: [string, IocType | undefined, string[]][] = [
    ['evil.example', 'domain', ['C1', 'C3', 'C4', 'C6']],
    ['cdn.evil.example', 'domain', ['C1']],
    ['203.0.113.9', 'ipv4', ['C1', 'C3', 'C6']],
    ['http://evil.example:8080/gate.php?id=1', 'url', ['C3']],
    ['http://evil.example:8081/gate.php?id=1', 'url', ['C4']],
    ['Agent "quoted" \\ slash', 'user-agent', ['C3']],
    ['drop@evil.example', 'email', ['C5']],
    ['jdoe@corp.example', 'email', ['C5']],
    ['d41d8cd98f00b204e9800998ecf8427e', 'md5', ['F1']],
    ['e7d705a3286e19ea42f587b344ee6865', 'ja3', ['C6']],
    ['example', 'domain', []],
    ['evil.exam', 'domain', []],
    ['203.0.113.1', 'ipv4', []],
  ];

  it.each(cases)('matches %s exactly', async (value, type, expectedUids) => {
    const dir = await craftedCase();
    const opened = openCase(dir, { write: false });
    try {
      const sighting = findSightings(opened.db, normalizeIndicator(value, type));
      const uids = sighting.eventIds.map((id) => {
        const record = JSON.parse(opened.db.prepare('SELECT record FROM events WHERE id = ?').pluck().get(id) as string) as { uid?: string; fuid?: string };
        return record.uid ?? record.fuid;
      });
      expect(uids.sort()).toEqual(expectedUids);
      expect(sighting.events).toBe(expectedUids.length);
    } finally {
      opened.close();
    }
  });

  it('reports time range and hosts', async () => {
    const dir = await craftedCase();
    const opened = openCase(dir, { write: false });
    try {
      const sighting = findSightings(opened.db, { type: 'domain', value: 'evil.example' });
      expect(sighting.firstSeen).toBe(1_700_000_000_100_000);
      expect(sighting.lastSeen).toBe(1_700_000_006_700_000);
      expect(sighting.logs).toEqual({ dns: 1, http: 2, ssl: 1 });
      expect(sighting.hosts).toEqual(['10.0.0.1', '10.0.0.5', '10.0.0.7', '10.0.0.8', '203.0.113.10', '203.0.113.9']);
    } finally {
      opened.close();
    }
  });
});

describe('acceptSuggestion', () => {
  it('tags the value and audits the finding', async () => {
    const dir = await craftedCase();
    const services = createServices('netcase-test');
    const record = await services.acceptSuggestion(dir, { value: 'EVIL.example', type: 'domain', findings: ['beacon:evil.example'], tags: ['c2'] });
    expect(record.value).toBe('evil.example');
    expect(record.verdict).toBe('suspicious');
    expect(record.source).toBe('suggestion');

    const opened = openCase(dir, { write: false });
    const entry = opened.db.prepare(`SELECT actor, details FROM audit WHERE action = 'ioc.tag'`).get() as { actor: string; details: string };
    opened.close();
    expect(entry.actor).toBe('Ana Lyst');
    expect(JSON.parse(entry.details)).toMatchObject({ findings: ['beacon:evil.example'], source: 'suggestion', value: 'evil.example' });
  });

  it('maps entity kinds to IOC types', async () => {
    const dir = await craftedCase();
    const services = createServices('netcase-test');
    const accepted = [
      await services.acceptSuggestion(dir, { value: '203.0.113.9', type: 'host' }),
      await services.acceptSuggestion(dir, { value: '2001:db8::9', type: 'host' }),
      await services.acceptSuggestion(dir, { value: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', type: 'file' }),
      await services.acceptSuggestion(dir, { value: 'Agent "quoted" \\ slash', type: 'user_agent', verdict: 'malicious' }),
    ];
    expect(accepted.map((record) => record.type)).toEqual(['ipv4', 'ipv6', 'sha1', 'user-agent']);
    expect(accepted[3]!.verdict).toBe('malicious');
  });
});
