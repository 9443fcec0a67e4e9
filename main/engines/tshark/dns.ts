import type { PacketRow } from './fields.js';
import type { Flow } from './flows.js';
import { microsToZeekInterval, microsToZeekTime, type ZeekRecord } from './zeek-record.js';

const QTYPE_NAMES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 17: 'RP', 18: 'AFSDB',
  24: 'SIG', 25: 'KEY', 28: 'AAAA', 29: 'LOC', 33: 'SRV', 35: 'NAPTR', 36: 'KX', 37: 'CERT', 39: 'DNAME',
  41: 'OPT', 42: 'APL', 43: 'DS', 44: 'SSHFP', 45: 'IPSECKEY', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY',
  49: 'DHCID', 50: 'NSEC3', 51: 'NSEC3PARAM', 52: 'TLSA', 55: 'HIP', 59: 'CDS', 60: 'CDNSKEY', 64: 'SVCB',
  65: 'HTTPS', 99: 'SPF', 249: 'TKEY', 250: 'TSIG', 251: 'IXFR', 252: 'AXFR', 255: '*', 256: 'URI', 257: 'CAA',
};

const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN',
  7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE', 16: 'BADVERS', 17: 'BADKEY', 18: 'BADTIME',
  19: 'BADMODE', 20: 'BADNAME', 21: 'BADALG', 22: 'BADTRUNC', 23: 'BADCOOKIE',
};

const QCLASS_NAMES: Record<number, string> = { 1: 'C_INTERNET', 3: 'C_CHAOS', 4: 'C_HESIOD', 254: 'C_NONE', 255: 'C_ANY' };

const OPCODE_NAMES: Record<number, string> = { 0: 'query', 1: 'iquery', 2: 'status', 4: 'notify', 5: 'update' };

interface PendingQuery {
  record: ZeekRecord;
  ts: number;
}

/**
 * Turns DNS messages into dns.log records, one per transaction as Zeek writes them: a reply is
 * matched with the oldest unanswered query of the same flow and transaction id; a reply without
 * a query gets a record of its own, and a query never answered is written without reply fields.
 */
export class DnsLog {
  private readonly pending = new Map<string, PendingQuery[]>();
  private readonly records: ZeekRecord[] = [];

  observe(row: PacketRow, flow: Flow, ts: number): void {
    const transId = parseInt(row.first('dns.id') ?? '', 16);
    if (Number.isNaN(transId)) return;
    const key = `${flow.key}:${transId}`;
    const isResponse = row.first('dns.flags.response') === '1';

    if (!isResponse) {
      const record = baseRecord(row, flow, ts, transId);
      const queue = this.pending.get(key) ?? [];
      queue.push({ record, ts });
      this.pending.set(key, queue);
      return;
    }

    const queue = this.pending.get(key);
    const query = queue?.shift();
    if (queue && queue.length === 0) this.pending.delete(key);
    const record = query?.record ?? baseRecord(row, flow, ts, transId);
    if (query) record.rtt = microsToZeekInterval(ts - query.ts);
    addReply(record, row);
    this.records.push(record);
  }

  /** The finished records, including queries that never got a reply. */
  finish(): ZeekRecord[] {
    for (const queue of this.pending.values()) for (const query of queue) this.records.push(query.record);
    this.pending.clear();
    return this.records;
  }
}

function baseRecord(row: PacketRow, flow: Flow, ts: number, transId: number): ZeekRecord {
  const record: ZeekRecord = {
    ts: microsToZeekTime(ts),
    uid: flow.uid,
    'id.orig_h': flow.origH,
    'id.orig_p': flow.origP,
    'id.resp_h': flow.respH,
    'id.resp_p': flow.respP,
    proto: flow.transport,
    trans_id: transId,
  };
  const query = row.first('dns.qry.name');
  if (query !== undefined && (row.firstNumber('dns.count.queries') ?? 1) > 0) {
    record.query = query === '<Root>' ? '' : query;
    const qclass = parseInt(row.first('dns.qry.class') ?? '', 16);
    const qtype = row.firstNumber('dns.qry.type');
    if (!Number.isNaN(qclass)) {
      record.qclass = qclass & 0x7fff;
      record.qclass_name = QCLASS_NAMES[qclass & 0x7fff] ?? `unknown-${qclass & 0x7fff}`;
    }
    if (qtype !== undefined) {
      record.qtype = qtype;
      record.qtype_name = QTYPE_NAMES[qtype] ?? `query-${qtype}`;
    }
  }
  const opcode = row.firstNumber('dns.flags.opcode') ?? 0;
  record.AA = false;
  record.TC = row.first('dns.flags.truncated') === '1';
  record.RD = row.first('dns.flags.recdesired') === '1';
  record.RA = false;
  record.Z = row.firstNumber('dns.flags.z') ?? 0;
  record.rejected = false;
  record.opcode = opcode;
  record.opcode_name = OPCODE_NAMES[opcode] ?? `unknown-${opcode}`;
  return record;
}

function addReply(record: ZeekRecord, row: PacketRow): void {
  const rcode = row.firstNumber('dns.flags.rcode') ?? 0;
  record.rcode = rcode;
  record.rcode_name = RCODE_NAMES[rcode] ?? `unknown-${rcode}`;
  record.AA = row.first('dns.flags.authoritative') === '1';
  record.TC = row.first('dns.flags.truncated') === '1';
  record.RA = row.first('dns.flags.recavail') === '1';
  if (record.query === undefined && row.has('dns.qry.name')) {
    const query = row.first('dns.qry.name')!;
    record.query = query === '<Root>' ? '' : query;
  }
  const { answers, ttls } = readAnswers(row);
  if (answers.length > 0) {
    record.answers = answers;
    record.TTLs = ttls;
  }
  if (rcode !== 0 && answers.length === 0) record.rejected = rcode === 5;
}

/**
 * Rebuilds the answer section in wire order. tshark prints each record type's data as a separate
 * field, so the data comes from per-type queues consumed in the order of `dns.resp.type`. The
 * answer section comes first in the message, so its records are the first `dns.count.answers`.
 */
function readAnswers(row: PacketRow): { answers: string[]; ttls: number[] } {
  const count = row.firstNumber('dns.count.answers') ?? 0;
  const types = row.numbers('dns.resp.type');
  const lengths = row.numbers('dns.resp.len');
  const ttlValues = row.numbers('dns.resp.ttl');
  const queues = {
    a: row.all('dns.a'),
    aaaa: row.all('dns.aaaa'),
    cname: row.all('dns.cname'),
    ptr: row.all('dns.ptr.domain_name'),
    ns: row.all('dns.ns'),
    mx: row.all('dns.mx.mail_exchange'),
    srv: row.all('dns.srv.target'),
    txt: row.all('dns.txt'),
    txtLength: row.numbers('dns.txt.length'),
  };

  const answers: string[] = [];
  const ttls: number[] = [];
  for (let i = 0; i < Math.min(count, types.length); i++) {
    const answer = answerText(types[i] ?? 0, lengths[i] ?? 0, queues);
    if (answer === undefined) continue;
    answers.push(answer);
    ttls.push(ttlValues[i] ?? 0);
  }
  return { answers, ttls };
}

type AnswerQueues = {
  a: string[];
  aaaa: string[];
  cname: string[];
  ptr: string[];
  ns: string[];
  mx: string[];
  srv: string[];
  txt: string[];
  txtLength: number[];
};

/**
 * Formats one answer record as Zeek does: addresses and names as they are, TXT as
 * "TXT <length> <text>" per character-string joined by spaces. Types Zeek does not put in
 * `answers` (TKEY, TSIG, OPT) return undefined.
 */
function answerText(type: number, rdLength: number, queues: AnswerQueues): string | undefined {
  switch (type) {
    case 1:
      return queues.a.shift();
    case 28:
      return queues.aaaa.shift();
    case 5:
      return queues.cname.shift();
    case 12:
      return queues.ptr.shift();
    case 2:
      return queues.ns.shift();
    case 15:
      return queues.mx.shift();
    case 33:
      return queues.srv.shift();
    case 16:
    case 99:
      return txtAnswer(rdLength, queues);
    case 41:
    case 249:
    case 250:
      return undefined;
    default:
      return `<unknown type=${type}>`;
  }
}

function txtAnswer(rdLength: number, queues: AnswerQueues): string {
  const parts: string[] = [];
  let consumed = 0;
  while (consumed < rdLength && queues.txt.length > 0) {
    const length = queues.txtLength.shift() ?? 0;
    const text = queues.txt.shift() ?? '';
    parts.push(`TXT ${length} ${text}`);
    consumed += length + 1;
  }
  return parts.join(' ');
}
