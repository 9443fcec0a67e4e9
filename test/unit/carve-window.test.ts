import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OpenCase } from '../../main/case/case-folder.js';
import { displayFilter, FLOW_PADDING_MICROS, hostTarget, resolveUidTarget } from '../../main/carve/flow-target.js';
import { caseWithLogs } from '../helpers/analysis-case.js';
import { tempDir } from '../helpers/temp.js';

function conn(uid: string, ts: number, duration: number, origPort = 40000): string {
  return JSON.stringify({ _path: 'conn', ts, uid, 'id.orig_h': '10.0.0.1', 'id.orig_p': origPort, 'id.resp_h': '10.0.0.2', 'id.resp_p': 80, proto: 'tcp', duration });
}

let opened: OpenCase | undefined;
afterEach(() => opened?.close());

describe('carve flow window', () => {
  it('pads and clamps at same-tuple neighbours', async () => {
    const log = join(tempDir(), 'conn.log');
    writeFileSync(log, [conn('Cfirst', 1000, 2), conn('Ctarget', 1004, 1), conn('Cnext', 1008, 1), conn('Cother', 1006, 1, 40001)].join('\n') + '\n');
    opened = await caseWithLogs([log]);

    const target = resolveUidTarget(opened.db, 'Ctarget');
    expect(target.from).toBe(1002_000_001);
    expect(target.to).toBe(1007_999_999);
    expect(target.tuple).toEqual({ origHost: '10.0.0.1', origPort: 40000, respHost: '10.0.0.2', respPort: 80, proto: 'tcp' });

    const alone = resolveUidTarget(opened.db, 'Cother');
    expect(alone.from).toBe(1006_000_000 - FLOW_PADDING_MICROS);
    expect(alone.to).toBe(1007_000_000 + FLOW_PADDING_MICROS);
  });

  it('builds a two-way display filter', async () => {
    const log = join(tempDir(), 'conn.log');
    writeFileSync(log, `${conn('Cone', 1000, 1)}\n`);
    opened = await caseWithLogs([log]);
    expect(displayFilter(resolveUidTarget(opened.db, 'Cone'))).toBe(
      '((ip.src == 10.0.0.1 && ip.dst == 10.0.0.2 && tcp.srcport == 40000 && tcp.dstport == 80) || (ip.src == 10.0.0.2 && ip.dst == 10.0.0.1 && tcp.srcport == 80 && tcp.dstport == 40000))',
    );
  });

  it('accepts only literal addresses', () => {
    expect(displayFilter(hostTarget('2001:db8::1', null, null))).toBe('ipv6.addr == 2001:db8::1');
    expect(() => hostTarget('10.0.0.1 || 1', null, null)).toThrow(/not an IPv4 or IPv6 address/);
    expect(() => hostTarget('fe80::1%eth0', null, null)).toThrow(/not an IPv4 or IPv6 address/);
  });

  it('rejects an unknown uid', async () => {
    opened = await caseWithLogs([]);
    expect(() => resolveUidTarget(opened!.db, 'Cmissing')).toThrow(/Cmissing not found/);
  });
});
