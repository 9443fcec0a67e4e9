import { describe, expect, it } from 'vitest';
import { FIELD_SEPARATOR, FIELDS, OCCURRENCE_SEPARATOR, PacketRow } from '../../main/engines/tshark/fields.js';
import { FileLog, mimeType, parameter } from '../../main/engines/tshark/files.js';
import { FileContent } from '../../main/engines/tshark/file-content.js';
import { connRecord, FlowTable } from '../../main/engines/tshark/flows.js';
import { epochFieldToMicros, type PacketHeader } from '../../main/engines/tshark/packet.js';
import { mailAddress, SmtpLog } from '../../main/engines/tshark/smtp.js';
import { unescapeUri } from '../../main/engines/tshark/zeek-text.js';

const SYN = 0x02;
const ACK = 0x10;
const FIN = 0x01;
const PSH = 0x08;

function tcpPacket(ts: number, fromClient: boolean, flags: number, seq: number, payloadBytes = 0): PacketHeader {
  return {
    frame: 0,
    ts,
    transport: 'tcp',
    stream: 0,
    src: fromClient ? '10.0.0.1' : '10.0.0.2',
    dst: fromClient ? '10.0.0.2' : '10.0.0.1',
    srcPort: fromClient ? 50000 : 80,
    dstPort: fromClient ? 80 : 50000,
    ipProto: 6,
    ipBytes: 40 + payloadBytes,
    payloadBytes,
    tcpFlags: flags,
    tcpSeq: seq,
    protocols: ['eth', 'ethertype', 'ip', 'tcp'],
  };
}

describe('unescapeUri', () => {
  it('decodes UTF-8 escapes to text', () => {
    expect(unescapeUri('/printable_%F0%9F%98%84')).toBe('/printable_😄');
  });

  it('writes control bytes as \\xNN', () => {
    expect(unescapeUri('/non_printable_%07')).toBe('/non_printable_\\x07');
  });

  it('writes invalid UTF-8 as \\xNN', () => {
    expect(unescapeUri('/a%FFb')).toBe('/a\\xffb');
  });

  it('keeps malformed escapes', () => {
    expect(unescapeUri('/100%zz')).toBe('/100%zz');
  });
});

describe('epochFieldToMicros', () => {
  it('drops digits past microseconds', () => {
    expect(epochFieldToMicros('1418145369.999999999')).toBe(1418145369999999);
  });

  it('reads times past 2106', () => {
    expect(epochFieldToMicros('4294967296.000000000')).toBe(4294967296000000);
  });

  it('rejects a fraction of a whole second', () => {
    expect(epochFieldToMicros('1418145370.1000000000')).toBeUndefined();
  });

  it('rejects negative times', () => {
    expect(epochFieldToMicros('-1418145370.2147483648')).toBeUndefined();
  });
});

describe('mail header helpers', () => {
  it('takes the address out of MAIL FROM', () => {
    expect(mailAddress('FROM:<rejump@eraqron.shop> SIZE=1024')).toBe('rejump@eraqron.shop');
  });

  it('takes the address out of RCPT TO with a space', () => {
    expect(mailAddress('TO: <raj@yahoo.co.in>')).toBe('raj@yahoo.co.in');
  });

  it('reads an address without brackets', () => {
    expect(mailAddress('FROM:a@b.example')).toBe('a@b.example');
  });

  it('reads quoted and bare MIME parameters', () => {
    expect(parameter('attachment;filename="NEWS.txt"', 'filename')).toBe('NEWS.txt');
    expect(parameter('text/plain; name=a.txt', 'name')).toBe('a.txt');
    expect(parameter('form-data; name="file"', 'filename')).toBeUndefined();
  });

  it('strips MIME type parameters', () => {
    expect(mimeType('Text/HTML; charset=UTF-8')).toBe('text/html');
  });
});

describe('PacketRow', () => {
  it('rejects a line with the wrong column count', () => {
    expect(PacketRow.parse(`1${FIELD_SEPARATOR}2`)).toBeNull();
  });

  it('reads first, last and all occurrences', () => {
    const values: string[] = FIELDS.map(() => '');
    values[FIELDS.indexOf('ip.src')] = ['10.0.0.1', '192.168.0.1'].join(OCCURRENCE_SEPARATOR);
    const row = PacketRow.parse(values.join(FIELD_SEPARATOR))!;
    expect(row.first('ip.src')).toBe('10.0.0.1');
    expect(row.last('ip.src')).toBe('192.168.0.1');
    expect(row.all('ip.src')).toEqual(['10.0.0.1', '192.168.0.1']);
    expect(row.has('ip.dst')).toBe(false);
  });
});

describe('FlowTable', () => {
  it('builds a closed TCP connection', () => {
    const flows = new FlowTable();
    flows.observe(tcpPacket(1_000_000, true, SYN, 0));
    flows.observe(tcpPacket(1_100_000, false, SYN | ACK, 0));
    flows.observe(tcpPacket(1_200_000, true, ACK, 1));
    flows.observe(tcpPacket(1_300_000, true, ACK | PSH, 1, 100));
    flows.observe(tcpPacket(1_400_000, false, ACK | PSH, 1, 500));
    flows.observe(tcpPacket(1_500_000, true, ACK | FIN, 101));
    flows.observe(tcpPacket(1_600_000, false, ACK | FIN, 501));
    flows.observe(tcpPacket(1_700_000, true, ACK, 102));

    const [flow] = flows.all();
    const record = connRecord(flow!);
    expect(record.conn_state).toBe('SF');
    expect(record.history).toBe('ShADdFf');
    expect(record.orig_bytes).toBe(100);
    expect(record.resp_bytes).toBe(500);
    // The final ACK after both FINs is not part of the duration.
    expect(record.duration).toBe(0.6);
    expect(record.orig_pkts).toBe(5);
    expect(record.resp_pkts).toBe(3);
  });

  it('turns a flow first seen at SYN-ACK around', () => {
    const flows = new FlowTable();
    flows.observe(tcpPacket(1_000_000, false, SYN | ACK, 0));
    const record = connRecord(flows.all()[0]!);
    expect(record['id.orig_h']).toBe('10.0.0.1');
    expect(record['id.resp_p']).toBe(80);
    expect(record.history).toBe('^h');
  });

  it('marks retransmitted payload', () => {
    const flows = new FlowTable();
    flows.observe(tcpPacket(1_000_000, true, SYN, 0));
    flows.observe(tcpPacket(1_100_000, false, SYN | ACK, 0));
    flows.observe(tcpPacket(1_200_000, true, ACK | PSH, 1, 10));
    flows.observe(tcpPacket(1_300_000, true, ACK | PSH, 1, 10));
    const record = connRecord(flows.all()[0]!);
    expect(record.history).toBe('ShDT');
    expect(record.orig_bytes).toBe(10);
    expect(record.conn_state).toBe('S1');
  });

  it('gives the same uid for the same flow', () => {
    const first = new FlowTable();
    const second = new FlowTable();
    first.observe(tcpPacket(1_000_000, true, SYN, 0));
    second.observe(tcpPacket(1_000_000, true, SYN, 0));
    expect(first.all()[0]!.uid).toBe(second.all()[0]!.uid);
    expect(first.all()[0]!.uid).toMatch(/^C[0-9A-Za-z]{17}$/);
  });
});

describe('FileLog', () => {
  function rowWith(values: Partial<Record<(typeof FIELDS)[number], string[]>>): PacketRow {
    const columns = FIELDS.map((field) => (values[field] ?? []).join(OCCURRENCE_SEPARATOR));
    return PacketRow.parse(columns.join(FIELD_SEPARATOR))!;
  }

  it('names a reply body after Content-Disposition', () => {
    const flows = new FlowTable();
    const { flow } = flows.observe(tcpPacket(1_000_000, true, SYN, 0));
    const files = new FileLog(new FileContent(() => []));
    const row = rowWith({
      'http.content_type': ['application/pdf'],
      'http.response.line': ['Content-Type: application/pdf\\r\\n', 'Content-Disposition: attachment; filename="report 2024.pdf"\\r\\n'],
    });
    const [entry] = files.addHttpBody(row, flow, 1_000_000, false, 1234, 1);
    expect(entry?.filename).toBe('report 2024.pdf');
    expect(entry?.mimeType).toBe('application/pdf');
    const [record] = files.finish();
    expect(record?.total_bytes).toBe(1234);
    expect(record?.source).toBe('HTTP');
    expect(record?.uid).toBe(flow.uid);
  });

  it('skips an empty body', () => {
    const flows = new FlowTable();
    const { flow } = flows.observe(tcpPacket(1_000_000, true, SYN, 0));
    const files = new FileLog(new FileContent(() => []));
    expect(files.addHttpBody(rowWith({ 'http.content_type': ['text/html'] }), flow, 1_000_000, false, 0, 1)).toEqual([]);
  });
});

describe('SmtpLog', () => {
  function rowWith(values: Partial<Record<(typeof FIELDS)[number], string[]>>): PacketRow {
    const columns = FIELDS.map((field) => (values[field] ?? []).join(OCCURRENCE_SEPARATOR));
    return PacketRow.parse(columns.join(FIELD_SEPARATOR))!;
  }

  it('logs a session that switched to TLS', () => {
    const flows = new FlowTable();
    const { flow } = flows.observe(tcpPacket(1_000_000, true, SYN, 0));
    const smtp = new SmtpLog(new FileLog(new FileContent(() => [])));
    smtp.observe(rowWith({ 'smtp.req.command': ['EHLO'], 'smtp.req.parameter': ['client.example'] }), flow, 1_100_000);
    smtp.observe(rowWith({ 'smtp.req.command': ['STARTTLS'] }), flow, 1_200_000);
    smtp.observe(rowWith({ 'smtp.response.code': ['220'], 'smtp.rsp.parameter': ['Ready to start TLS'] }), flow, 1_300_000);

    const [record, ...rest] = smtp.finish();
    expect(rest).toEqual([]);
    expect(record?.tls).toBe(true);
    expect(record?.helo).toBe('client.example');
    expect(record?.last_reply).toBe('220 Ready to start TLS');
    expect(record?.mailfrom).toBeUndefined();
  });

  it('logs nothing for a session without mail', () => {
    const flows = new FlowTable();
    const { flow } = flows.observe(tcpPacket(1_000_000, true, SYN, 0));
    const smtp = new SmtpLog(new FileLog(new FileContent(() => [])));
    smtp.observe(rowWith({ 'smtp.req.command': ['EHLO'], 'smtp.req.parameter': ['client.example'] }), flow, 1_100_000);
    smtp.observe(rowWith({ 'smtp.req.command': ['QUIT'] }), flow, 1_200_000);
    expect(smtp.finish()).toEqual([]);
  });
});
