import type { PacketRow } from './fields.js';
import { flipFlow, flowStartsHere, type Flow } from './flows.js';
import { microsToZeekInterval, microsToZeekTime, type ZeekRecord } from './zeek-record.js';

const QTYPE_NAMES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 17: 'RP', 18: 'AFSDB',
  24: 'SIG', 25: 'KEY', 28: 'AAAA', 29: 'LOC', 30: 'NXT', 31: 'EID', 32: 'NIMLOC', 33: 'SRV', 35: 'NAPTR', 36: 'KX', 37: 'CERT', 39: 'DNAME',
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

const NETBIOS_OPCODE_NAMES: Record<number, string> = {
  0: 'netbios-query',
  5: 'netbios-registration',
  6: 'netbios-release',
  7: 'netbios-wack',
  8: 'netbios-refresh',
};

/** One DNS or NetBIOS name service message, reduced to what dns.log reports. */
interface DnsMessage {
  transId: number;
  isResponse: boolean;
  query?: string;
  qtype?: number;
  qclass?: number;
  opcode: number;
  opcodeName: string;
  rcode: number;
  AA: boolean;
  TC: boolean;
  RD: boolean;
  RA: boolean;
  Z: number;
  answers: string[];
  ttls: number[];
}

interface PendingQuery {
  record: ZeekRecord;
  ts: number;
}

/**
 * Turns DNS messages into dns.log records, one per transaction as Zeek writes them. A reply is
 * matched with the oldest unanswered query of the same flow and transaction id. A reply without
 * a query gets a record of its own, and a query never answered is written without reply fields.
 * NetBIOS name service messages (UDP port 137) are logged too, as Zeek does.
 */
export class DnsLog {
  private readonly pending = new Map<string, PendingQuery[]>();
  private readonly records: ZeekRecord[] = [];

  observe(row: PacketRow, flow: Flow, ts: number): void {
    const message = row.has('dns.id') ? readDnsMessage(row) : readNetbiosMessage(row);
    if (!message) return;
    const key = `${flow.key}:${message.transId}`;

    if (!message.isResponse) {
      const queue = this.pending.get(key) ?? [];
      queue.push({ record: queryRecord(message, flow, ts), ts });
      this.pending.set(key, queue);
      return;
    }

    const queue = this.pending.get(key);
    const query = queue?.shift();
    if (queue && queue.length === 0) this.pending.delete(key);
    if (!query && flowStartsHere(flow, ts) && !isGroupAddress(flow.respH)) flipFlow(flow);
    // Zeek takes the query type, class and RD flag from the query only, so a lone reply has none.
    const record = query?.record ?? queryRecord({ ...message, qtype: undefined, qclass: undefined, RD: false }, flow, ts);
    addReply(record, message, query ? ts - query.ts : undefined);
    this.records.push(record);
  }

  /** Returns the finished records, including queries that never got a reply. */
  finish(): ZeekRecord[] {
    for (const queue of this.pending.values()) for (const query of queue) this.records.push(query.record);
    this.pending.clear();
    return this.records;
  }
}

/**
 * Returns whether an address is multicast or the limited broadcast. A flow that starts with a
 * reply to such an address is not turned around, because no query can have come from it.
 */
function isGroupAddress(address: string): boolean {
  if (address.includes(':')) return address.toLowerCase().startsWith('ff');
  const first = Number(address.split('.')[0]);
  return (first >= 224 && first <= 239) || address === '255.255.255.255';
}

/** Zeek logs query names in lower case, and the root as an empty name. */
function queryName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (name === '<Root>') return '';
  return name.toLowerCase();
}

function readDnsMessage(row: PacketRow): DnsMessage | null {
  const transId = parseInt(row.first('dns.id') ?? '', 16);
  if (Number.isNaN(transId)) return null;
  const opcode = row.firstNumber('dns.flags.opcode') ?? 0;
  const { answers, ttls, firstOwner } = readAnswers(row);
  const hasQuestion = (row.firstNumber('dns.count.queries') ?? 1) > 0;
  // Zeek names the query of a question-less reply (common in mDNS) after the first answer.
  const name = hasQuestion ? row.first('dns.qry.name') : firstOwner;
  const qclass = parseInt(row.first('dns.qry.class') ?? '', 16);
  return {
    transId,
    isResponse: row.first('dns.flags.response') === '1',
    query: queryName(name),
    qtype: hasQuestion ? row.firstNumber('dns.qry.type') : undefined,
    qclass: hasQuestion && !Number.isNaN(qclass) ? qclass & 0x7fff : undefined,
    opcode,
    opcodeName: OPCODE_NAMES[opcode] ?? `unknown-${opcode}`,
    rcode: row.firstNumber('dns.flags.rcode') ?? 0,
    AA: row.first('dns.flags.authoritative') === '1',
    TC: row.first('dns.flags.truncated') === '1',
    RD: row.first('dns.flags.recdesired') === '1',
    RA: row.first('dns.flags.recavail') === '1',
    Z: row.firstNumber('dns.flags.z') ?? 0,
    answers,
    ttls,
  };
}

/**
 * Reads a NetBIOS name service message. The name loses its "<xx>" suffix type and padding, and
 * the broadcast flag lands in Z because it takes the bit DNS reserves for Z.
 */
function readNetbiosMessage(row: PacketRow): DnsMessage | null {
  const transId = parseInt(row.first('nbns.id') ?? '', 16);
  if (Number.isNaN(transId)) return null;
  const opcode = row.firstNumber('nbns.flags.opcode') ?? 0;
  const name = row.first('nbns.name')?.replace(/<[0-9a-fA-F]{2}>$/, '').trimEnd();
  const addresses = row.all('nbns.addr');
  return {
    transId,
    isResponse: row.first('nbns.flags.response') === '1',
    query: name,
    qtype: row.firstNumber('nbns.type'),
    qclass: row.firstNumber('nbns.class'),
    opcode,
    opcodeName: NETBIOS_OPCODE_NAMES[opcode] ?? `unknown-${opcode}`,
    rcode: row.firstNumber('nbns.flags.rcode') ?? 0,
    AA: row.first('nbns.flags.authoritative') === '1',
    TC: row.first('nbns.flags.truncated') === '1',
    RD: row.first('nbns.flags.recdesired') === '1',
    RA: row.first('nbns.flags.recavail') === '1',
    Z: row.first('nbns.flags.broadcast') === '1' ? 1 : 0,
    answers: addresses,
    ttls: row.numbers('nbns.ttl').slice(0, addresses.length),
  };
}

function queryRecord(message: DnsMessage, flow: Flow, ts: number): ZeekRecord {
  const record: ZeekRecord = {
    ts: microsToZeekTime(ts),
    uid: flow.uid,
    'id.orig_h': flow.origH,
    'id.orig_p': flow.origP,
    'id.resp_h': flow.respH,
    'id.resp_p': flow.respP,
    proto: flow.transport,
    trans_id: message.transId,
  };
  if (message.query !== undefined) record.query = message.query;
  if (message.qclass !== undefined) {
    record.qclass = message.qclass;
    record.qclass_name = QCLASS_NAMES[message.qclass] ?? `unknown-${message.qclass}`;
  }
  if (message.qtype !== undefined) {
    record.qtype = message.qtype;
    record.qtype_name = QTYPE_NAMES[message.qtype] ?? `query-${message.qtype}`;
  }
  record.AA = false;
  record.TC = message.TC;
  record.RD = message.RD;
  record.RA = false;
  record.Z = message.Z;
  record.rejected = false;
  record.opcode = message.opcode;
  record.opcode_name = message.opcodeName;
  return record;
}

/**
 * Adds a reply to its transaction's record. As in Zeek, AA, RA and rtt come from replies that
 * carry answers, so an empty NOERROR or an NXDOMAIN leaves them at their query-time values.
 */
function addReply(record: ZeekRecord, message: DnsMessage, rttMicros: number | undefined): void {
  record.rcode = message.rcode;
  record.rcode_name = RCODE_NAMES[message.rcode] ?? `unknown-${message.rcode}`;
  record.TC = message.TC;
  if (record.query === undefined && message.query !== undefined) record.query = message.query;
  if (message.answers.length > 0) {
    record.AA = message.AA;
    record.RA = message.RA;
    if (rttMicros !== undefined) record.rtt = microsToZeekInterval(rttMicros);
    record.answers = message.answers;
    record.TTLs = message.ttls;
  }
  record.rejected = message.rcode === 5 && message.answers.length === 0;
}

/**
 * Rebuilds the answer section in wire order. tshark prints each record type's data as a separate
 * field, so the data comes from per-type queues consumed in the order of `dns.resp.type`. The
 * answer section comes first in the message, so its records are the first `dns.count.answers`.
 */
function readAnswers(row: PacketRow): { answers: string[]; ttls: number[]; firstOwner?: string } {
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
    srvOwner: srvOwnerNames(row),
    txt: row.all('dns.txt'),
    txtLength: row.numbers('dns.txt.length'),
  };

  // tshark splits an SRV record's owner name into service, protocol and name, and leaves it
  // out of dns.resp.name, so the owner of the first answer comes from either field.
  let firstOwner: string | undefined;
  if (count > 0 && types[0] === 33) firstOwner = queues.srvOwner[0];
  else if (count > 0) firstOwner = row.first('dns.resp.name');

  const answers: string[] = [];
  const ttls: number[] = [];
  for (let i = 0; i < Math.min(count, types.length); i++) {
    const answer = answerText(types[i] ?? 0, lengths[i] ?? 0, queues);
    if (answer === undefined) continue;
    answers.push(answer);
    ttls.push(ttlValues[i] ?? 0);
  }
  return { answers, ttls, firstOwner };
}

function srvOwnerNames(row: PacketRow): string[] {
  const services = row.all('dns.srv.service');
  const protocols = row.all('dns.srv.proto');
  return row.all('dns.srv.name').map((name, index) => [services[index], protocols[index], name].filter((part) => part).join('.'));
}

type AnswerQueues = {
  a: string[];
  aaaa: string[];
  cname: string[];
  ptr: string[];
  ns: string[];
  mx: string[];
  srv: string[];
  srvOwner: string[];
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
