import type { PacketRow } from './fields.js';

export type Transport = 'tcp' | 'udp' | 'icmp';

/** The network and transport header facts of one packet that flow tracking needs. */
export interface PacketHeader {
  frame: number;
  /** Microseconds since the epoch. */
  ts: number;
  transport: Transport;
  /** tshark's stream index for TCP and UDP; undefined for ICMP. */
  stream?: number;
  src: string;
  dst: string;
  /** Port, or the ICMP type for ICMP. */
  srcPort: number;
  /** Port, or the ICMP code for ICMP. */
  dstPort: number;
  /** IP protocol number (6, 17, 1 or 58). */
  ipProto: number;
  /** Bytes of the IP packet: header plus payload. */
  ipBytes: number;
  /** Transport payload bytes. */
  payloadBytes: number;
  tcpFlags?: number;
  /** Relative sequence number from tshark, for counting payload bytes without retransmissions. */
  tcpSeq?: number;
  protocols: string[];
}

/**
 * Reads the header facts of a packet, or returns null for packets that carry no IP transport
 * Zeek would log as a connection (ARP, fragments before reassembly, bare IP).
 * For tunnels the innermost IP and transport headers count, except for ICMP errors, whose
 * quoted packet is not a flow of its own.
 */
export function readPacketHeader(row: PacketRow): PacketHeader | null {
  const protocols = (row.first('frame.protocols') ?? '').split(':');
  const ts = epochFieldToMicros(row.first('frame.time_epoch'));
  const frame = row.firstNumber('frame.number') ?? 0;
  if (ts === undefined) return null;

  const icmpIndex = protocols.findIndex((p) => p === 'icmp' || p === 'icmpv6');
  const transportIndex = protocols.findIndex((p) => p === 'tcp' || p === 'udp');
  if (icmpIndex !== -1 && (transportIndex === -1 || icmpIndex < transportIndex)) {
    return readIcmp(row, protocols, icmpIndex, frame, ts);
  }
  if (transportIndex === -1) return null;

  const ip = readIp(row, protocols, transportIndex, 'last');
  if (!ip) return null;
  const transport = protocols[transportIndex] as 'tcp' | 'udp';

  if (transport === 'tcp') {
    return {
      frame,
      ts,
      transport,
      stream: row.firstNumber('tcp.stream'),
      src: ip.src,
      dst: ip.dst,
      srcPort: row.firstNumber('tcp.srcport') ?? 0,
      dstPort: row.firstNumber('tcp.dstport') ?? 0,
      ipProto: 6,
      ipBytes: ip.bytes,
      payloadBytes: row.firstNumber('tcp.len') ?? 0,
      tcpFlags: parseInt(row.first('tcp.flags') ?? '0', 16),
      tcpSeq: row.firstNumber('tcp.seq'),
      protocols,
    };
  }
  const udpLength = row.firstNumber('udp.length') ?? 8;
  return {
    frame,
    ts,
    transport,
    stream: row.firstNumber('udp.stream'),
    src: ip.src,
    dst: ip.dst,
    srcPort: row.firstNumber('udp.srcport') ?? 0,
    dstPort: row.firstNumber('udp.dstport') ?? 0,
    ipProto: 17,
    ipBytes: ip.bytes,
    payloadBytes: Math.max(0, udpLength - 8),
    protocols,
  };
}

function readIcmp(row: PacketRow, protocols: string[], icmpIndex: number, frame: number, ts: number): PacketHeader | null {
  const ip = readIp(row, protocols, icmpIndex, 'first');
  if (!ip) return null;
  const v6 = protocols[icmpIndex] === 'icmpv6';
  const type = row.firstNumber(v6 ? 'icmpv6.type' : 'icmp.type') ?? 0;
  const code = row.firstNumber(v6 ? 'icmpv6.code' : 'icmp.code') ?? 0;
  return {
    frame,
    ts,
    transport: 'icmp',
    src: ip.src,
    dst: ip.dst,
    srcPort: type,
    dstPort: code,
    ipProto: v6 ? 58 : 1,
    ipBytes: ip.bytes,
    payloadBytes: Math.max(0, ip.payload - 8),
    protocols,
  };
}

interface IpFacts {
  src: string;
  dst: string;
  /** Whole IP packet length. */
  bytes: number;
  /** Bytes after the IP header(s). */
  payload: number;
}

/**
 * Picks the IP header that carries the transport at `beforeIndex` in the protocol list. The
 * `occurrence` of the address fields that belongs to that header is the last one for tunnels,
 * the first one for ICMP, whose errors quote another IP header after their own.
 */
function readIp(row: PacketRow, protocols: string[], beforeIndex: number, occurrence: 'first' | 'last'): IpFacts | null {
  let family: 'ip' | 'ipv6' | undefined;
  for (let i = beforeIndex - 1; i >= 0; i--) {
    if (protocols[i] === 'ip' || protocols[i] === 'ipv6') {
      family = protocols[i] as 'ip' | 'ipv6';
      break;
    }
  }
  if (!family) return null;
  const pick = (values: string[]) => (occurrence === 'first' ? values[0] : values[values.length - 1]);

  if (family === 'ip') {
    const src = pick(row.all('ip.src'));
    const dst = pick(row.all('ip.dst'));
    const length = Number(pick(row.all('ip.len')));
    const headerLength = Number(pick(row.all('ip.hdr_len')) ?? 20);
    if (!src || !dst) return null;
    return { src, dst, bytes: length, payload: length - headerLength };
  }
  const src = pick(row.all('ipv6.src'));
  const dst = pick(row.all('ipv6.dst'));
  const payload = Number(pick(row.all('ipv6.plen')));
  if (!src || !dst) return null;
  return { src, dst, bytes: payload + 40, payload };
}

/**
 * Converts tshark's `frame.time_epoch` text to whole microseconds, dropping digits past the
 * sixth decimal. Returns undefined for times a capture file cannot validly hold: before 1970,
 * or with a fraction of a second of one second or more, which tshark prints with ten digits.
 */
export function epochFieldToMicros(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (!match) return undefined;
  const fraction = (match[2] ?? '').padEnd(6, '0').slice(0, 6);
  return Number(match[1]) * 1_000_000 + Number(fraction);
}
