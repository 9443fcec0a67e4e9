import { describe, expect, it } from 'vitest';
import { parseWatchlist } from '../../main/iocs/watchlist.js';

describe('parseWatchlist', () => {
  it('reads a CSV with a header', () => {
    const parsed = parseWatchlist('name,value,type\nC2,Evil.Example,domain\nsinkhole,192.0.2.1,\n');
    expect(parsed.format).toBe('csv');
    expect(parsed.entries).toEqual([
      { ref: 'line 2', type: 'domain', value: 'evil.example', label: 'C2' },
      { ref: 'line 3', type: 'ipv4', value: '192.0.2.1', label: 'sinkhole' },
    ]);
  });

  it('reads headerless type,value lines', () => {
    const parsed = parseWatchlist('# comment\nurl,http://evil.example/a\nevil.example\n');
    expect(parsed.entries.map((entry) => [entry.ref, entry.type, entry.value])).toEqual([
      ['line 2', 'url', 'http://evil.example/a'],
      ['line 3', 'domain', 'evil.example'],
    ]);
  });

  it('merges duplicate values', () => {
    expect(parseWatchlist('evil.example\nEVIL.example.\n').entries).toHaveLength(1);
  });

  it('reports address ranges as unsupported', () => {
    const parsed = parseWatchlist('ipv4,10.0.0.0/8\n2001:db8::/32\n');
    expect(parsed.entries).toEqual([]);
    expect(parsed.unsupported.map((problem) => problem.ref)).toEqual(['line 1', 'line 2']);
    expect(parsed.unsupported[0]!.reason).toMatch(/address range/);
  });

  it('rejects invalid JSON', () => {
    expect(() => parseWatchlist('{"type": "bundle",', 'list.json')).toThrow(/list\.json starts like JSON but is not valid JSON/);
  });

  it('rejects JSON that is no bundle', () => {
    expect(() => parseWatchlist('{"type": "indicator"}', 'list.json')).toThrow(/not a STIX 2.1 bundle/);
  });
});
