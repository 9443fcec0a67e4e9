import type { PacketRow } from './fields.js';
import type { Flow } from './flows.js';
import type { ExpectedDataChannel } from './ftp.js';
import { FileHasher } from './file-hash.js';
import { HttpConversation, type HttpBody } from './http-body.js';
import type { MimeLeaf, MimeParser } from './mime.js';
import type { PacketHeader } from './packet.js';
import { SmtpSession } from './smtp-data.js';
import { TcpReassembler, type StreamConsumer } from './tcp-stream.js';

/**
 * Server packets with payload after which a connection whose client has not spoken yet is
 * skipped: an SMTP greeting takes one or two, and a capture of only one direction never ends.
 */
const MAX_UNDECIDED_PACKETS = 16;

/** Request methods whose first bytes mark a connection as HTTP. */
const HTTP_REQUEST_START = /^(GET|POST|HEAD|PUT|DELETE|OPTIONS|PATCH|CONNECT|TRACE|PROPFIND|PROPPATCH|MKCOL|COPY|MOVE|LOCK|UNLOCK) /;

interface Content {
  flow: Flow;
  kind: 'http' | 'smtp' | 'ftp-data' | 'none';
  orig?: TcpReassembler;
  resp?: TcpReassembler;
  http?: HttpConversation;
  smtp?: SmtpSession;
  ftpData?: { orig: FileHasher; resp: FileHasher };
}

/**
 * Rebuilds the TCP byte streams of HTTP, SMTP and FTP data connections from tshark's
 * `tcp.payload` field and hashes the files they carry, in the same pass as the other logs.
 * Connections of other protocols are recognised by their first bytes and skipped, so their
 * payload is never decoded or kept.
 * Memory: per connection it keeps at most 4 MiB of out-of-order segments (tcp-stream.ts) and one
 * line of up to 64 KiB, plus what zlib buffers while it inflates a compressed body.
 */
export class FileContent {
  private readonly flows = new Map<string, Content>();
  /** Directions that carried payload before their connection's protocol was known. */
  private readonly seenPayload = new Set<string>();
  /** Packets with payload seen per connection while its protocol is not known. */
  private readonly undecided = new Map<string, number>();
  /** Time of the packet being read, for the files that start in it. */
  private packetTs = 0;

  constructor(private readonly ftpDataChannels: () => readonly ExpectedDataChannel[]) {}

  observe(row: PacketRow, flow: Flow, fromOrig: boolean, header: PacketHeader): void {
    if (header.transport !== 'tcp' || header.payloadBytes === 0 || header.tcpSeq === undefined) return;
    const hex = row.first('tcp.payload');
    if (hex === undefined) return;
    let content = this.flows.get(flow.key);
    if (!content) {
      const waited = this.undecided.get(flow.key) ?? 0;
      const kind = waited < MAX_UNDECIDED_PACKETS ? this.recognise(flow, fromOrig, hex) : 'none';
      if (kind === undefined) {
        this.seenPayload.add(`${flow.key}|${fromOrig}`);
        this.undecided.set(flow.key, waited + 1);
        return;
      }
      this.undecided.delete(flow.key);
      content = this.start(flow, kind);
      this.flows.set(flow.key, content);
    }
    const reassembler = fromOrig ? content.orig : content.resp;
    if (!reassembler) return;
    this.packetTs = header.ts;
    reassembler.segment(header.tcpSeq, header.payloadBytes, Buffer.from(hex, 'hex'));
  }

  /** Ends every stream and waits until compressed bodies are decoded and hashed. */
  async finish(): Promise<void> {
    for (const content of this.flows.values()) {
      content.orig?.end();
      content.resp?.end();
    }
    const bodies = [...this.flows.values()].flatMap((content) => content.http?.bodies ?? []);
    await Promise.all(bodies.map((body) => body.settled));
  }

  /** Returns the body of the `ordinal`-th request or final response of a flow, counted from 1. */
  httpBody(flow: Flow, isOrig: boolean, ordinal: number): HttpBody | undefined {
    return this.flows.get(flow.key)?.http?.bodies.find((candidate) => candidate.isOrig === isOrig && candidate.ordinal === ordinal);
  }

  /** Returns every HTTP body found, with its flow, in the order the bodies started per flow. */
  allHttpBodies(): Array<{ flow: Flow; body: HttpBody }> {
    return [...this.flows.values()].flatMap((content) => (content.http?.bodies ?? []).map((body) => ({ flow: content.flow, body })));
  }

  /** Returns every mail message found, with its flow and its position in the flow from 1. */
  allMailMessages(): Array<{ flow: Flow; ordinal: number; ts: number; message: MimeParser }> {
    return [...this.flows.values()].flatMap((content) =>
      (content.smtp?.messages ?? []).map((message, index) => ({ flow: content.flow, ordinal: index + 1, ts: content.smtp!.startTimes[index] ?? 0, message })),
    );
  }

  /** Returns the leaf entities of the `ordinal`-th mail message of an SMTP connection, counted from 1, once it ended. */
  mailParts(flow: Flow, ordinal: number): MimeLeaf[] | undefined {
    const message = this.flows.get(flow.key)?.smtp?.messages[ordinal - 1];
    return message?.ended ? message.leaves : undefined;
  }

  /** Returns the hasher of the bytes one side of an FTP data connection sent. */
  ftpData(flow: Flow, isOrig: boolean): FileHasher | undefined {
    const hashers = this.flows.get(flow.key)?.ftpData;
    return isOrig ? hashers?.orig : hashers?.resp;
  }

  /** Returns the protocol from a connection's first payload, or undefined to wait for more. */
  private recognise(flow: Flow, fromOrig: boolean, hex: string): Content['kind'] | undefined {
    const expected = this.ftpDataChannels().some((channel) => channel.respH === flow.respH && channel.respP === flow.respP && flow.firstTs >= channel.announcedTs);
    if (expected) return 'ftp-data';
    const start = Buffer.from(hex.slice(0, 32), 'hex').toString('latin1');
    // A server that speaks first (an SMTP greeting, or anything else) leaves the decision to the client.
    if (!fromOrig) return start.startsWith('HTTP/') ? 'http' : undefined;
    if (HTTP_REQUEST_START.test(start)) return 'http';
    if (/^(EHLO|HELO) /i.test(start)) return 'smtp';
    return 'none';
  }

  private start(flow: Flow, kind: Content['kind']): Content {
    const content: Content = { flow, kind };
    const streams = (orig: StreamConsumer, resp: StreamConsumer) => {
      content.orig = new TcpReassembler(orig, flow.orig.syn && !this.seenPayload.has(`${flow.key}|true`));
      content.resp = new TcpReassembler(resp, flow.synAckSeen && !this.seenPayload.has(`${flow.key}|false`));
    };

    if (kind === 'http') {
      content.http = new HttpConversation(() => this.packetTs);
      streams(content.http.requests, content.http.responses);
    } else if (kind === 'smtp') {
      content.smtp = new SmtpSession(() => this.packetTs);
      streams(content.smtp.client, content.smtp.server);
    } else if (kind === 'ftp-data') {
      content.ftpData = { orig: new FileHasher(), resp: new FileHasher() };
      streams(hashingConsumer(content.ftpData.orig), hashingConsumer(content.ftpData.resp));
    }
    this.seenPayload.delete(`${flow.key}|true`);
    this.seenPayload.delete(`${flow.key}|false`);
    return content;
  }
}

function hashingConsumer(hasher: FileHasher): StreamConsumer {
  return {
    data: (chunk) => hasher.update(chunk),
    gap: (length) => hasher.gap(length),
    end: () => undefined,
  };
}
