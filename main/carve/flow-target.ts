import { isIP } from 'node:net';
import { NetcaseError } from '../errors.js';
import type { Db } from '../store/database.js';

/** The 5-tuple of one connection as Zeek writes it: originator first. */
export interface FlowTuple {
  origHost: string;
  origPort: number | null;
  respHost: string;
  respPort: number | null;
  /** 'tcp', 'udp', 'icmp', or null when no event of the connection names it. */
  proto: string | null;
}

/** Carve target: a connection or a host, within a time window. */
export interface CarveTarget {
  description: string;
  tuple?: FlowTuple;
  host?: string;
  /** Inclusive lower bound in microseconds, or null for "from the first packet". */
  from: number | null;
  /** Inclusive upper bound in microseconds, or null for "to the last packet". */
  to: number | null;
  /** Evidence ids of the captures whose engine runs wrote the events; empty when unknown. */
  evidenceIds: number[];
}

/**
 * Padding added before the first and after the last packet time the logs report for a
 * connection. Zeek's conn.log `ts` is the first packet it attributed to the connection and
 * `ts + duration` the last. A flow that Zeek split or started late, or that tshark's engine
 * closed early, can still have its SYN or its final FIN/ACK or RST just outside that span.
 * Logged times are also rounded to microseconds, which can cut off a packet of a
 * nanosecond-resolution capture. Five seconds covers retransmitted handshakes and teardowns
 * while the clamp below keeps out other connections that reuse the same 5-tuple.
 */
export const FLOW_PADDING_MICROS = 5_000_000;

interface UidEventRow {
  log: string;
  ts: number | null;
  orig_h: string | null;
  orig_p: number | null;
  resp_h: string | null;
  resp_p: number | null;
  proto: string | null;
  record: string;
}

/**
 * Resolves the 5-tuple and time window of a connection uid from its events. The window is
 * the span of the uid's events (conn.log `ts` to `ts + duration`), padded by
 * FLOW_PADDING_MICROS on both sides. It is then clamped so it never reaches into another
 * logged connection with the same 5-tuple. It starts after the previous one ends and ends
 * before the next one starts.
 */
export function resolveUidTarget(db: Db, uid: string): CarveTarget {
  const rows = db.prepare('SELECT log, ts, orig_h, orig_p, resp_h, resp_p, proto, record FROM events WHERE uid = ? ORDER BY log != \'conn\', ts').all(uid) as UidEventRow[];
  if (rows.length === 0) {
    throw new NetcaseError('NOT_FOUND', `Connection uid ${uid} not found in the case. List connections with "netcase events DIR --log conn".`);
  }
  const withTuple = rows.find((row) => row.orig_h !== null && row.resp_h !== null);
  if (!withTuple) throw new NetcaseError('INPUT_INVALID', `The events of uid ${uid} name no originator and responder addresses, so its packets cannot be found.`);
  const tuple: FlowTuple = {
    origHost: checkAddress(withTuple.orig_h!),
    origPort: withTuple.orig_p,
    respHost: checkAddress(withTuple.resp_h!),
    respPort: withTuple.resp_p,
    proto: rows.map((row) => row.proto ?? recordProto(row.record)).find((proto) => proto !== null) ?? null,
  };

  const spans = rows.filter((row) => row.ts !== null).map((row) => ({ start: row.ts!, end: row.ts! + durationMicros(row.record) }));
  if (spans.length === 0) throw new NetcaseError('INPUT_INVALID', `The events of uid ${uid} carry no timestamps, so its packets cannot be placed in time.`);
  const start = Math.min(...spans.map((span) => span.start));
  const end = Math.max(...spans.map((span) => span.end));

  let from = start - FLOW_PADDING_MICROS;
  let to = end + FLOW_PADDING_MICROS;
  for (const neighbour of sameTupleConnections(db, uid, tuple)) {
    if (neighbour.end < start) from = Math.max(from, neighbour.end + 1);
    else if (neighbour.start > end) to = Math.min(to, neighbour.start - 1);
  }

  const evidence = db
    .prepare(`SELECT DISTINCT r.evidence_id AS id FROM events e JOIN imports i ON i.id = e.import_id JOIN engine_runs r ON r.id = i.run_id WHERE e.uid = ? ORDER BY r.evidence_id`)
    .all(uid) as { id: number }[];
  return { description: `connection ${uid}`, tuple, from, to, evidenceIds: evidence.map((row) => row.id) };
}

export function hostTarget(host: string, from: number | null, to: number | null): CarveTarget {
  return { description: `host ${checkAddress(host)}`, host, from, to, evidenceIds: [] };
}

/** Builds the tshark display filter that matches the target's packets in either direction. */
export function displayFilter(target: CarveTarget): string {
  if (target.host !== undefined) {
    return `${ipField(target.host)}.addr == ${target.host}`;
  }
  const tuple = target.tuple!;
  const ip = ipField(tuple.origHost);
  const forward = [`${ip}.src == ${tuple.origHost}`, `${ip}.dst == ${tuple.respHost}`];
  const backward = [`${ip}.src == ${tuple.respHost}`, `${ip}.dst == ${tuple.origHost}`];
  let transports: string[] = [];
  if (tuple.proto === 'tcp' || tuple.proto === 'udp') transports = [tuple.proto];
  if (tuple.proto === null) transports = ['tcp', 'udp'];
  if (transports.length === 0 || tuple.origPort === null || tuple.respPort === null) {
    // ICMP and other protocols: Zeek stores ICMP type and code in the port columns, so only
    // the addresses and the protocol select the packets.
    const addresses = `((${forward.join(' && ')}) || (${backward.join(' && ')}))`;
    if (tuple.proto !== 'icmp') return addresses;
    return `${addresses} && ${ip === 'ipv6' ? 'icmpv6' : 'icmp'}`;
  }
  const alternatives = transports.map((transport) => {
    const there = [...forward, `${transport}.srcport == ${tuple.origPort}`, `${transport}.dstport == ${tuple.respPort}`];
    const back = [...backward, `${transport}.srcport == ${tuple.respPort}`, `${transport}.dstport == ${tuple.origPort}`];
    return `(${there.join(' && ')}) || (${back.join(' && ')})`;
  });
  return alternatives.map((alternative) => `(${alternative})`).join(' || ');
}

export function describeTuple(tuple: FlowTuple): string {
  const port = (value: number | null): string => (value === null ? '' : `:${value}`);
  return `${tuple.origHost}${port(tuple.origPort)} -> ${tuple.respHost}${port(tuple.respPort)}${tuple.proto ? ` ${tuple.proto}` : ''}`;
}

function sameTupleConnections(db: Db, uid: string, tuple: FlowTuple): { start: number; end: number }[] {
  const rows = db
    .prepare(
      `SELECT ts, record FROM events WHERE log = 'conn' AND uid != ? AND ts IS NOT NULL
         AND ((orig_h = ? AND resp_h = ? AND orig_p IS ? AND resp_p IS ?) OR (orig_h = ? AND resp_h = ? AND orig_p IS ? AND resp_p IS ?))`,
    )
    .all(uid, tuple.origHost, tuple.respHost, tuple.origPort, tuple.respPort, tuple.respHost, tuple.origHost, tuple.respPort, tuple.origPort) as { ts: number; record: string }[];
  return rows.map((row) => ({ start: row.ts, end: row.ts + durationMicros(row.record) }));
}

function durationMicros(record: string): number {
  const duration = (JSON.parse(record) as { duration?: unknown }).duration;
  return typeof duration === 'number' && Number.isFinite(duration) && duration > 0 ? Math.round(duration * 1_000_000) : 0;
}

function recordProto(record: string): string | null {
  const proto = (JSON.parse(record) as { proto?: unknown }).proto;
  return typeof proto === 'string' ? proto : null;
}

/** Accepts only literal IP addresses, so a value can never change the meaning of a display filter. */
function checkAddress(value: string): string {
  if (isIP(value) === 0 || value.includes('%')) throw new NetcaseError('INVALID_ARGUMENT', `"${value}" is not an IPv4 or IPv6 address. Give a literal address without a zone, such as 192.0.2.10.`);
  return value;
}

function ipField(address: string): 'ip' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ip';
}
