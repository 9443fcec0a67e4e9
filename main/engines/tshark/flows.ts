import { createHash } from 'node:crypto';
import type { PacketHeader } from './packet.js';
import type { ZeekRecord } from './zeek-record.js';
import { microsToZeekTime, microsToZeekInterval } from './zeek-record.js';

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;

/** Ports Zeek treats as servers when a flow starts mid-stream (its `likely_server_ports`, in part). */
const WELL_KNOWN_PORT_LIMIT = 1024;

/** tshark protocol names mapped to the names Zeek writes in conn.log `service`. */
const SERVICE_NAMES: Record<string, string> = {
  dns: 'dns',
  mdns: 'dns',
  llmnr: 'dns',
  nbns: 'dns',
  http: 'http',
  tls: 'ssl',
  dtls: 'dtls',
  smtp: 'smtp',
  ftp: 'ftp',
  'ftp-data': 'ftp-data',
  ssh: 'ssh',
  dhcp: 'dhcp',
  ntp: 'ntp',
  pop: 'pop3',
  imap: 'imap',
  irc: 'irc',
  sip: 'sip',
  snmp: 'snmp',
  kerberos: 'krb',
  smb: 'smb',
  smb2: 'smb',
  rdp: 'rdp',
  mysql: 'mysql',
  socks: 'socks',
  syslog: 'syslog',
  radius: 'radius',
  quic: 'quic',
};

/** One side of a flow: the counters conn.log reports per direction. */
interface Direction {
  packets: number;
  ipBytes: number;
  /** Payload bytes for UDP and ICMP. */
  payloadBytes: number;
  /** Lowest and highest end of TCP sequence space that carried payload. */
  seqStart?: number;
  seqEnd?: number;
  /** Highest sequence number any packet of this side has reached, empty ACKs included. */
  seqSeen?: number;
  history: Set<string>;
  syn: boolean;
  fin: boolean;
  rst: boolean;
  /** Time of the first payload packet not yet claimed by a finished application message. */
  messageStart?: number;
}

export interface Flow {
  key: string;
  uid: string;
  transport: 'tcp' | 'udp' | 'icmp';
  ipProto: number;
  origH: string;
  origP: number;
  respH: string;
  respP: number;
  firstTs: number;
  lastTs: number;
  services: string[];
  orig: Direction;
  resp: Direction;
  /** History letters in the order Zeek appends them (upper case for the originator). */
  history: string;
  synAckSeen: boolean;
}

/**
 * Groups packets into connections the way Zeek's conn.log does, keyed by tshark's TCP and UDP
 * stream indexes (ICMP by address pair and message family), and decides which side originated.
 */
export class FlowTable {
  private readonly flows = new Map<string, Flow>();

  /** Adds one packet to its flow and returns the flow with the packet's direction. */
  observe(packet: PacketHeader): { flow: Flow; fromOrig: boolean } {
    const key = flowKey(packet);
    let flow = this.flows.get(key);
    if (!flow) {
      flow = createFlow(key, packet);
      this.flows.set(key, flow);
    }
    const fromOrig = packet.transport === 'icmp' ? packet.src === flow.origH : packet.src === flow.origH && packet.srcPort === flow.origP;
    updateFlow(flow, packet, fromOrig);
    return { flow, fromOrig };
  }

  get(key: string): Flow | undefined {
    return this.flows.get(key);
  }

  all(): Flow[] {
    return [...this.flows.values()];
  }
}

export function flowKey(packet: PacketHeader): string {
  if (packet.transport !== 'icmp') return `${packet.transport}:${packet.stream}`;
  const pair = [packet.src, packet.dst].sort().join('|');
  return `icmp:${pair}:${icmpFamily(packet.ipProto, packet.srcPort)}`;
}

function createFlow(key: string, packet: PacketHeader): Flow {
  const flip = shouldFlip(packet);
  const origH = flip ? packet.dst : packet.src;
  const respH = flip ? packet.src : packet.dst;
  let origP = flip ? packet.dstPort : packet.srcPort;
  let respP = flip ? packet.srcPort : packet.dstPort;
  if (packet.transport === 'icmp') {
    // Zeek logs an ICMP flow as (type, counterpart type): an echo request pairs with its reply.
    origP = packet.srcPort;
    respP = icmpCounterpart(packet.ipProto, packet.srcPort);
  }
  const flow: Flow = {
    key,
    uid: '',
    transport: packet.transport,
    ipProto: packet.ipProto,
    origH,
    origP,
    respH,
    respP,
    firstTs: packet.ts,
    lastTs: packet.ts,
    services: [],
    orig: newDirection(),
    resp: newDirection(),
    // Zeek starts the history of a flow it turned around with "^".
    history: flip ? '^' : '',
    synAckSeen: false,
  };
  flow.uid = makeUid(flow);
  return flow;
}

/**
 * Zeek makes the SYN sender the originator. A flow first seen at a SYN-ACK, or mid-stream from
 * a well-known port to a high port, is turned around. For UDP a first packet from port 53 to a
 * port that is not 53 (a DNS reply seen before its query) is turned around too.
 */
function shouldFlip(packet: PacketHeader): boolean {
  if (packet.transport === 'icmp') return false;
  if (packet.transport === 'tcp') {
    const flags = packet.tcpFlags ?? 0;
    if (flags & TCP_SYN) return (flags & TCP_ACK) !== 0;
  }
  if (packet.transport === 'udp' && packet.srcPort === 53 && packet.dstPort === 53) return false;
  return packet.srcPort < WELL_KNOWN_PORT_LIMIT && packet.dstPort >= WELL_KNOWN_PORT_LIMIT;
}

function updateFlow(flow: Flow, packet: PacketHeader, fromOrig: boolean): void {
  const side = fromOrig ? flow.orig : flow.resp;
  if (!isFinalAck(flow, packet)) flow.lastTs = Math.max(flow.lastTs, packet.ts);
  side.packets += 1;
  side.ipBytes += packet.ipBytes;
  if (packet.payloadBytes > 0) side.messageStart ??= packet.ts;

  for (const protocol of packet.protocols) {
    const service = SERVICE_NAMES[protocol];
    if (service && !flow.services.includes(service)) flow.services.push(service);
  }

  if (packet.transport !== 'tcp') {
    side.payloadBytes += packet.payloadBytes;
    if (packet.payloadBytes > 0) addHistory(flow, side, 'D', fromOrig);
    return;
  }
  updateTcp(flow, side, packet, fromOrig);
}

/**
 * Returns whether a packet is the last ACK of a TCP teardown: an empty ACK after both sides
 * sent FIN. Zeek leaves that ACK out of the connection's duration.
 */
function isFinalAck(flow: Flow, packet: PacketHeader): boolean {
  if (packet.transport !== 'tcp' || packet.payloadBytes > 0) return false;
  const flags = packet.tcpFlags ?? 0;
  const pureAck = (flags & TCP_ACK) !== 0 && (flags & (TCP_SYN | TCP_FIN | TCP_RST)) === 0;
  return pureAck && flow.orig.fin && flow.resp.fin;
}

function updateTcp(flow: Flow, side: Direction, packet: PacketHeader, fromOrig: boolean): void {
  const flags = packet.tcpFlags ?? 0;
  if (flags & TCP_SYN) {
    if (flags & TCP_ACK) {
      flow.synAckSeen = true;
      addHistory(flow, side, 'H', fromOrig);
    } else {
      side.syn = true;
      addHistory(flow, side, 'S', fromOrig);
    }
  }
  if (packet.payloadBytes > 0 && packet.tcpSeq !== undefined) {
    const end = packet.tcpSeq + packet.payloadBytes;
    // Payload that starts below sequence space already seen is a retransmission ("T" in Zeek's history).
    if (side.seqSeen !== undefined && packet.tcpSeq < side.seqSeen) addHistory(flow, side, 'T', fromOrig);
    side.seqStart = side.seqStart === undefined ? packet.tcpSeq : Math.min(side.seqStart, packet.tcpSeq);
    side.seqEnd = side.seqEnd === undefined ? end : Math.max(side.seqEnd, end);
    addHistory(flow, side, 'D', fromOrig);
  } else if ((flags & TCP_ACK) && !(flags & (TCP_SYN | TCP_FIN | TCP_RST))) {
    addHistory(flow, side, 'A', fromOrig);
  }
  if (packet.tcpSeq !== undefined && !(flags & TCP_SYN)) {
    side.seqSeen = Math.max(side.seqSeen ?? 0, packet.tcpSeq + packet.payloadBytes);
  }
  if (flags & TCP_FIN) {
    side.fin = true;
    addHistory(flow, side, 'F', fromOrig);
  }
  if (flags & TCP_RST) {
    side.rst = true;
    addHistory(flow, side, 'R', fromOrig);
  }
}

function addHistory(flow: Flow, side: Direction, letter: string, fromOrig: boolean): void {
  if (side.history.has(letter)) return;
  side.history.add(letter);
  flow.history += fromOrig ? letter : letter.toLowerCase();
}

/** Returns whether the packet at `ts` is the only packet of the flow so far. */
export function flowStartsHere(flow: Flow, ts: number): boolean {
  return flow.firstTs === ts && flow.orig.packets + flow.resp.packets === 1;
}

/**
 * Turns a flow around, as Zeek does when a flow starts with a reply. The responder becomes the
 * originator, and the history letters change case after a "^".
 */
export function flipFlow(flow: Flow): void {
  [flow.origH, flow.respH] = [flow.respH, flow.origH];
  [flow.origP, flow.respP] = [flow.respP, flow.origP];
  [flow.orig, flow.resp] = [flow.resp, flow.orig];
  const swapped = [...flow.history].map((letter) => (letter === letter.toUpperCase() ? letter.toLowerCase() : letter.toUpperCase())).join('');
  flow.history = swapped.startsWith('^') ? swapped.slice(1) : `^${swapped}`;
}

/**
 * Returns when the application message that ends in the current packet started, and starts
 * the next message after it. tshark prints a reassembled message's fields in its last packet,
 * while Zeek dates requests by their first packet.
 */
export function takeMessageStart(flow: Flow, fromOrig: boolean, ts: number): number {
  const side = fromOrig ? flow.orig : flow.resp;
  const start = side.messageStart ?? ts;
  side.messageStart = undefined;
  return start;
}

function newDirection(): Direction {
  return { packets: 0, ipBytes: 0, payloadBytes: 0, history: new Set(), syn: false, fin: false, rst: false };
}

/** Builds the conn.log record of a flow. Fields Zeek derives from data tshark lacks stay unset. */
export function connRecord(flow: Flow): ZeekRecord {
  const record: ZeekRecord = {
    ts: microsToZeekTime(flow.firstTs),
    uid: flow.uid,
    'id.orig_h': flow.origH,
    'id.orig_p': flow.origP,
    'id.resp_h': flow.respH,
    'id.resp_p': flow.respP,
    proto: flow.transport,
  };
  if (flow.services.length > 0) record.service = flow.services.join(',');
  // Zeek reports duration and payload bytes only for a connection that lasted some time.
  const duration = flow.lastTs - flow.firstTs;
  if (duration > 0) {
    record.duration = microsToZeekInterval(duration);
    record.orig_bytes = payloadBytes(flow, flow.orig);
    record.resp_bytes = payloadBytes(flow, flow.resp);
  }
  record.conn_state = connState(flow);
  record.missed_bytes = 0;
  record.history = flow.history;
  record.orig_pkts = flow.orig.packets;
  record.orig_ip_bytes = flow.orig.ipBytes;
  record.resp_pkts = flow.resp.packets;
  record.resp_ip_bytes = flow.resp.ipBytes;
  record.ip_proto = flow.ipProto;
  return record;
}

function payloadBytes(flow: Flow, side: Direction): number {
  if (flow.transport !== 'tcp') return side.payloadBytes;
  if (side.seqStart === undefined || side.seqEnd === undefined) return 0;
  return side.seqEnd - side.seqStart;
}

/** Zeek's conn_state codes, decided from the SYN, SYN-ACK, FIN and RST flags seen. */
function connState(flow: Flow): string {
  const { orig, resp } = flow;
  if (flow.transport !== 'tcp') {
    if (orig.packets > 0 && resp.packets > 0) return 'SF';
    return orig.packets > 0 ? 'S0' : 'SHR';
  }
  const established = orig.syn && flow.synAckSeen;
  if (!orig.syn && !flow.synAckSeen) return 'OTH';
  if (orig.syn && !flow.synAckSeen) {
    if (resp.rst) return 'REJ';
    if (orig.rst) return 'RSTOS0';
    if (orig.fin) return 'SH';
    return 'S0';
  }
  if (!orig.syn && flow.synAckSeen) {
    if (resp.rst) return 'RSTRH';
    if (resp.fin) return 'SHR';
    return 'OTH';
  }
  if (established) {
    // Both FINs make a normal close even when a RST follows.
    if (orig.fin && resp.fin) return 'SF';
    if (orig.rst) return 'RSTO';
    if (resp.rst) return 'RSTR';
    if (orig.fin) return 'S2';
    if (resp.fin) return 'S3';
  }
  return 'S1';
}

function icmpFamily(ipProto: number, type: number): number {
  return Math.min(type, icmpCounterpart(ipProto, type));
}

/** Returns the ICMP reply type that matches a request type, or the type itself. */
function icmpCounterpart(ipProto: number, type: number): number {
  const pairs: Record<number, number> =
    ipProto === 58 ? { 128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135 } : { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17 };
  return pairs[type] ?? type;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Derives a Zeek-style connection uid ("C" and base62 text) from the flow's 5-tuple and first
 * packet time, so the same capture always gives the same uids.
 */
export function makeUid(flow: Pick<Flow, 'transport' | 'origH' | 'origP' | 'respH' | 'respP' | 'firstTs'>, prefix = 'C'): string {
  const text = [flow.transport, flow.origH, flow.origP, flow.respH, flow.respP, flow.firstTs].join('|');
  return prefix + toBase62(createHash('sha256').update(text).digest(), 17);
}

export function toBase62(bytes: Buffer, length: number): string {
  let value = BigInt(`0x${bytes.toString('hex')}`);
  let text = '';
  while (text.length < length) {
    text += BASE62[Number(value % 62n)];
    value /= 62n;
  }
  return text;
}
