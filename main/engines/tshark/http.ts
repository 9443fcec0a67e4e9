import type { PacketRow } from './fields.js';
import type { Flow } from './flows.js';
import type { FileLog } from './files.js';
import { unescapeUri } from './zeek-text.js';
import { microsToZeekTime, type ZeekRecord } from './zeek-record.js';

interface PendingRequest {
  record: ZeekRecord;
}

/**
 * Turns HTTP messages into http.log records, one per request-response pair as Zeek writes them.
 * tshark prints a message's fields in the packet that completes it, so a record's `ts` is that
 * packet's time. A response goes with the oldest unanswered request of its flow, as HTTP/1.1
 * pipelining requires.
 */
export class HttpLog {
  private readonly pending = new Map<string, PendingRequest[]>();
  private readonly depth = new Map<string, number>();
  /** Requests and final responses per flow, which number their bodies for FileLog. */
  private readonly requestCount = new Map<string, number>();
  private readonly responseCount = new Map<string, number>();
  private readonly records: ZeekRecord[] = [];

  constructor(private readonly files: FileLog) {}

  observe(row: PacketRow, flow: Flow, ts: number): void {
    const methods = row.all('http.request.method');
    methods.forEach((method, index) => this.addRequest(row, flow, ts, method, index, methods.length));

    const codes = row.all('http.response.code');
    codes.forEach((code, index) => this.addResponse(row, flow, ts, Number(code), index, codes.length));
  }

  /** Returns all records, requests without a response included. */
  finish(): ZeekRecord[] {
    for (const queue of this.pending.values()) for (const request of queue) this.records.push(request.record);
    this.pending.clear();
    return this.records;
  }

  private addRequest(row: PacketRow, flow: Flow, ts: number, method: string, index: number, count: number): void {
    const depth = (this.depth.get(flow.key) ?? 0) + 1;
    this.depth.set(flow.key, depth);
    const record = baseRecord(flow, ts, depth);
    record.method = method;
    setIfPresent(record, 'host', occurrence(row, 'http.host', index, count));
    const uri = occurrence(row, 'http.request.uri', index, count);
    if (uri !== undefined) record.uri = unescapeUri(uri);
    setIfPresent(record, 'referrer', occurrence(row, 'http.referer', index, count));
    const version = occurrence(row, 'http.request.version', index, count);
    if (version) record.version = version.replace(/^HTTP\//, '');
    setIfPresent(record, 'user_agent', occurrence(row, 'http.user_agent', index, count));
    record.request_body_len = bodyLength(row, index, count) ?? 0;
    record.response_body_len = 0;
    record.tags = [];

    const ordinal = increment(this.requestCount, flow.key);
    const files = this.files.addHttpBody(row, flow, ts, true, record.request_body_len, ordinal);
    if (files.length > 0) {
      record.orig_fuids = files.map((file) => file.fuid);
      const names = files.map((file) => file.filename).filter((name): name is string => name !== undefined);
      if (names.length > 0) record.orig_filenames = names;
      const types = files.map((file) => file.mimeType).filter((type): type is string => type !== undefined);
      if (types.length > 0) record.orig_mime_types = types;
    }

    const queue = this.pending.get(flow.key) ?? [];
    queue.push({ record });
    this.pending.set(flow.key, queue);
  }

  private addResponse(row: PacketRow, flow: Flow, ts: number, code: number, index: number, count: number): void {
    const queue = this.pending.get(flow.key);
    let record = queue?.[0]?.record;
    if (!record) {
      const depth = (this.depth.get(flow.key) ?? 0) + 1;
      this.depth.set(flow.key, depth);
      record = baseRecord(flow, ts, depth);
      record.tags = [];
    }

    // Zeek keeps 1xx interim responses apart and waits for the final one.
    if (code >= 100 && code < 200) {
      record.info_code = code;
      setIfPresent(record, 'info_msg', occurrence(row, 'http.response.phrase', index, count));
      if (!queue?.length) this.records.push(record);
      return;
    }

    queue?.shift();
    const ordinal = increment(this.responseCount, flow.key);
    record.status_code = code;
    setIfPresent(record, 'status_msg', occurrence(row, 'http.response.phrase', index, count));
    // Zeek's `version` ends up as the reply's version when there is a reply.
    const version = occurrence(row, 'http.response.version', index, count);
    if (version) record.version = version.replace(/^HTTP\//, '');
    const length = bodyLength(row, index, count);
    if (length !== undefined) record.response_body_len = length;

    // Replies to HEAD, 204 and 304 have no body even when their headers describe one.
    const hasBody = record.method !== 'HEAD' && code !== 204 && code !== 304;
    const files = hasBody ? this.files.addHttpBody(row, flow, ts, false, length, ordinal) : [];
    if (files.length > 0) {
      record.resp_fuids = files.map((file) => file.fuid);
      const names = files.map((file) => file.filename).filter((name): name is string => name !== undefined);
      if (names.length > 0) record.resp_filenames = names;
      const types = files.map((file) => file.mimeType).filter((type): type is string => type !== undefined);
      if (types.length > 0) record.resp_mime_types = types;
    }
    this.records.push(record);
  }
}

function baseRecord(flow: Flow, ts: number, depth: number): ZeekRecord {
  return {
    ts: microsToZeekTime(ts),
    uid: flow.uid,
    'id.orig_h': flow.origH,
    'id.orig_p': flow.origP,
    'id.resp_h': flow.respH,
    'id.resp_p': flow.respP,
    trans_depth: depth,
  };
}

/**
 * Body length from Content-Length, or the sum of chunk sizes for a chunked body.
 * NOTE: a body delimited by connection close has neither, so its length stays unknown, while
 * Zeek counts the bytes it saw.
 */
function bodyLength(row: PacketRow, index: number, count: number): number | undefined {
  const header = occurrence(row, 'http.content_length_header', index, count);
  if (header !== undefined && /^\d+$/.test(header)) return Number(header);
  const chunks = row.numbers('http.chunk_size');
  if (chunks.length > 0 && count === 1) return chunks.reduce((sum, size) => sum + size, 0);
  return undefined;
}

/**
 * Returns one message's header value when a packet completes several pipelined messages.
 * tshark does not say which message an occurrence belongs to. Occurrences are therefore matched
 * by position only when every message has the header, and a lone message takes the first one.
 */
function occurrence(row: PacketRow, name: Parameters<PacketRow['all']>[0], index: number, count: number): string | undefined {
  const values = row.all(name);
  if (values.length === count) return values[index];
  if (count === 1) return values[0];
  return undefined;
}

function increment(counts: Map<string, number>, key: string): number {
  const count = (counts.get(key) ?? 0) + 1;
  counts.set(key, count);
  return count;
}

function setIfPresent(record: ZeekRecord, key: string, value: string | undefined): void {
  if (value !== undefined) record[key] = value;
}
