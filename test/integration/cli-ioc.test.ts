import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runNetcase } from '../helpers/cli.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

const SIMDA_LOGS = () => sharedPath('corpus/zeek-logs/stratosphere-security-datasets-for-testing/005-zeek-scenario-malicious');

function simdaCase(): string {
  const dir = join(tempDir(), 'case');
  expect(runNetcase(['case', 'create', dir, '--name', 'Simda', '--analyst', 'Ana Lyst']).status).toBe(0);
  expect(runNetcase(['import-logs', dir, SIMDA_LOGS()]).status).toBe(0);
  return dir;
}

describeWithShared('netcase ioc', () => {
  it('tags, lists and untags a value', () => {
    const dir = simdaCase();
    const tagged = runNetcase(['ioc', 'tag', dir, 'GATYFUS.com', '--verdict', 'malicious', '--tags', 'simda,c2', '--note', 'DGA', '--confidence', '90']);
    expect(tagged.stderr).toBe('');
    expect(tagged.status).toBe(0);
    expect(tagged.stdout).toContain('Tagged domain gatyfus.com as malicious [c2, simda].');

    const listed = runNetcase(['ioc', 'list', dir, '--json']);
    expect(listed.status).toBe(0);
    const iocs = JSON.parse(listed.stdout) as { value: string; confidence: number; sighting: { events: number; hosts: string[] } }[];
    expect(iocs).toHaveLength(1);
    expect(iocs[0]!.confidence).toBe(90);
    expect(iocs[0]!.sighting.events).toBeGreaterThan(0);
    expect(iocs[0]!.sighting.hosts).toContain('192.168.1.116');

    expect(runNetcase(['ioc', 'list', dir]).stdout).toMatch(/^malicious\s+domain\s+gatyfus\.com \[c2, simda\] \(confidence 90\): \d+ events?, /);
    expect(runNetcase(['ioc', 'untag', dir, 'gatyfus.com', '--tags', 'c2']).status).toBe(0);
    expect(runNetcase(['ioc', 'untag', dir, 'gatyfus.com']).status).toBe(0);
    expect(JSON.parse(runNetcase(['ioc', 'list', dir, '--json']).stdout)).toEqual([]);
  });

  it('accepts a suggested host', () => {
    const dir = simdaCase();
    const accepted = runNetcase(['ioc', 'accept', dir, '67.55.121.97', '--type', 'host', '--finding', 'dga:gatyfus.com', '--finding', 'c2:67.55.121.97']);
    expect(accepted.stderr).toBe('');
    expect(accepted.stdout).toContain('Accepted ipv4 67.55.121.97 as suspicious from dga:gatyfus.com, c2:67.55.121.97.');
    const iocs = JSON.parse(runNetcase(['ioc', 'list', dir, '--json']).stdout) as { value: string; source: string }[];
    expect(iocs.map((ioc) => [ioc.value, ioc.source])).toEqual([['67.55.121.97', 'suggestion']]);
    expect(runNetcase(['ioc', 'accept', dir, '67.55.121.97', '--type', 'planet']).status).toBe(1);
  });

  it('rejects invalid values with the reason', () => {
    const dir = simdaCase();
    const result = runNetcase(['ioc', 'tag', dir, '10.0.0.300', '--verdict', 'malicious']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Invalid ipv4 "10.0.0.300": 300 is out of range');
    const usage = runNetcase(['ioc', 'tag', dir, 'a.example', '--verdict', 'evil']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('--verdict must be one of malicious, suspicious, benign, unknown');
  });

  it('tags values from a file', () => {
    const dir = simdaCase();
    const file = join(tempDir(), 'values.txt');
    writeFileSync(file, '# from the DGA list\ngatyfus.com\nlyvyxor.com\nnot a domain\n\n67.55.121.97\n');
    const result = runNetcase(['ioc', 'tag', dir, '--file', file, '--verdict', 'suspicious', '--tags', 'dga']);
    expect(result.status).toBe(3);
    expect(result.stdout).toContain('Tagged 3 indicators.');
    expect(result.stderr).toContain('rejected line 4');
    const values = (JSON.parse(runNetcase(['ioc', 'list', dir, '--json']).stdout) as { value: string }[]).map((ioc) => ioc.value).sort();
    expect(values).toEqual(['67.55.121.97', 'gatyfus.com', 'lyvyxor.com']);
  });

  it('exports to a file and imports it elsewhere', () => {
    const dir = simdaCase();
    runNetcase(['ioc', 'tag', dir, 'qexylup.com', '--verdict', 'malicious']);
    const out = join(tempDir(), 'iocs.json');
    const exported = runNetcase(['ioc', 'export', dir, '--format', 'stix', '--out', out]);
    expect(exported.status).toBe(0);
    expect(exported.stdout).toContain(`Wrote 1 indicator as stix to ${out}`);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { type: string }).type).toBe('bundle');

    const other = simdaCase();
    const imported = runNetcase(['ioc', 'import', other, out]);
    expect(imported.status).toBe(0);
    expect(imported.stdout).toContain('Imported 1 watchlist entry from iocs.json (stix); 1 of them match events in the case.');
    expect(imported.stdout).toMatch(/MATCH domain qexylup\.com: \d+ events?, /);

    const matches = JSON.parse(runNetcase(['ioc', 'matches', other, '--json']).stdout) as { watchlist: string; value: string; events: number; eventIds: number[] }[];
    expect(matches).toHaveLength(1);
    expect(matches[0]!.watchlist).toBe('iocs.json');
    expect(matches[0]!.value).toBe('qexylup.com');
    expect(matches[0]!.eventIds).toHaveLength(matches[0]!.events);
    expect(runNetcase(['ioc', 'matches', other]).stdout).toMatch(/^iocs\.json indicator--[0-9a-f-]+: domain qexylup\.com, \d+ events?, /);
  });

  it('prints exports on stdout', () => {
    const dir = simdaCase();
    const csv = runNetcase(['ioc', 'export', dir, '--format', 'csv']);
    expect(csv.status).toBe(0);
    expect(csv.stdout).toBe('type,value,verdict,confidence,tags,note,analyst,created,updated,events,first_seen,last_seen,hosts\r\n');
    const bad = runNetcase(['ioc', 'export', dir, '--format', 'xml']);
    expect(bad.status).toBe(2);
  });
});
