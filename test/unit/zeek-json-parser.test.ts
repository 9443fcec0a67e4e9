import { describe, expect, it } from 'vitest';
import { ZeekJsonParser } from '../../main/ingest/zeek-json-parser.js';
import type { ParsedRecord } from '../../main/ingest/parsed-record.js';

describe('ZeekJsonParser', () => {
  it('reads epoch ts and keeps the line as written', () => {
    const line = '{"ts":1774911641.803041,"uid":"CHhAvVGS1DHFjwGM9","id.orig_h":"172.17.0.2","id.orig_p":36844,"id.resp_h":"1.1.1.1","id.resp_p":53,"proto":"udp","query":"zeek.org"}';
    const parsed = new ZeekJsonParser('dns').parseLine(line, 7) as ParsedRecord;
    expect(parsed).toMatchObject({ line: 7, log: 'dns', ts: 1774911641803041, uid: 'CHhAvVGS1DHFjwGM9', orig_h: '172.17.0.2', orig_p: 36844, resp_h: '1.1.1.1', resp_p: 53, proto: 'udp' });
    expect(parsed.record).toBe(line);
  });

  it('reads ISO ts and _path from JSON-streaming records', () => {
    const line = '{"_path":"dns","_write_ts":"2018-03-24T17:15:20.866586Z","ts":"2018-03-24T17:15:20.865716Z","uid":"CqKst53mF3det3eDV9"}';
    const parsed = new ZeekJsonParser('other').parseLine(line, 1) as ParsedRecord;
    expect(parsed.log).toBe('dns');
    expect(parsed.ts).toBe(1521911720865716);
  });

  it('reads nested id records', () => {
    const parsed = new ZeekJsonParser('conn').parseLine('{"ts":1,"id":{"orig_h":"10.0.0.1","orig_p":1,"resp_h":"10.0.0.2","resp_p":2}}', 1) as ParsedRecord;
    expect(parsed).toMatchObject({ orig_h: '10.0.0.1', orig_p: 1, resp_h: '10.0.0.2', resp_p: 2 });
  });

  it('reports invalid JSON, non-objects and bad ts', () => {
    const parser = new ZeekJsonParser('conn');
    expect(parser.parseLine('{"ts":XXXXXXXXXX.XXXXXX}', 3)).toMatchObject({ line: 3, reason: expect.stringContaining('not valid JSON') });
    expect(parser.parseLine('[1,2]', 4)).toMatchObject({ line: 4, reason: expect.stringContaining('not a JSON object') });
    expect(parser.parseLine('{"ts":"yesterday"}', 5)).toMatchObject({ line: 5, reason: expect.stringContaining('is not a time') });
  });

  it('skips blank lines', () => {
    expect(new ZeekJsonParser('conn').parseLine('   ', 1)).toBeNull();
  });
});
