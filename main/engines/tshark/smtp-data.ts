import { MimeParser } from './mime.js';
import type { StreamConsumer } from './tcp-stream.js';

const LF = 0x0a;
const CRLF = Buffer.from('\r\n');

/**
 * Maximum bytes kept of one line. SMTP allows 1000, and the rest of a longer line is dropped
 * and counted as a gap, so the file it belongs to gets no hashes.
 */
const MAX_LINE_BYTES = 64 * 1024;

type ClientState = 'command' | 'awaiting-354' | 'data' | 'stopped';

/**
 * Follows one SMTP session from both directions and parses each message sent with DATA, with
 * its dot-stuffing undone, into MIME entities (RFC 5321 section 4.5.2).
 * NOTE: BDAT chunks and anything after STARTTLS are not read, so such mail gets no hashes.
 */
export class SmtpSession {
  /** Messages in the order the client sent them, each complete once its "." line arrived. */
  readonly messages: MimeParser[] = [];
  /** Times of the packets whose 354 reply started each message, in microseconds. */
  readonly startTimes: number[] = [];
  private state: ClientState = 'command';
  private current: MimeParser | undefined;
  readonly client: StreamConsumer;
  readonly server: StreamConsumer;

  /** `now` returns the time of the packet being read, in microseconds. */
  constructor(private readonly now: () => number = () => 0) {
    this.client = lineConsumer((line) => this.clientLine(line), (length) => this.current?.gap(length), () => this.clientEnd());
    this.server = lineConsumer((line) => this.serverLine(line), () => undefined, () => undefined);
  }

  private clientLine(line: Buffer): void {
    if (this.state === 'data') {
      if (line.length === 1 && line[0] === 0x2e) {
        this.current!.end();
        this.current = undefined;
        this.state = 'command';
        return;
      }
      const content = line.length > 0 && line[0] === 0x2e ? line.subarray(1) : line;
      this.current!.write(Buffer.concat([content, CRLF]));
      return;
    }
    if (this.state !== 'command') return;
    const verb = line.toString('latin1').trim().split(/\s+/)[0]?.toUpperCase();
    if (verb === 'DATA') this.state = 'awaiting-354';
    else if (verb === 'STARTTLS' || verb === 'BDAT') this.state = 'stopped';
  }

  private serverLine(line: Buffer): void {
    if (this.state !== 'awaiting-354') return;
    const text = line.toString('latin1');
    if (text.startsWith('354')) {
      this.current = new MimeParser();
      this.messages.push(this.current);
      this.startTimes.push(this.now());
      this.state = 'data';
    } else if (/^\d{3} /.test(text)) {
      this.state = 'command';
    }
  }

  /** Ends a message cut short by the end of the capture, keeping what arrived, as Zeek does. */
  private clientEnd(): void {
    this.current?.end();
    this.current = undefined;
  }
}

/** Returns a stream consumer that calls `onLine` with each line, without its CRLF or LF. */
function lineConsumer(onLine: (line: Buffer) => void, onGap: (length: number) => void, onEnd: () => void): StreamConsumer {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let droppedBytes = 0;
  return {
    data(chunk) {
      let start = 0;
      for (;;) {
        const end = chunk.indexOf(LF, start);
        if (end === -1) break;
        pending.push(chunk.subarray(start, end));
        const line = Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
        if (droppedBytes > 0) onGap(droppedBytes);
        droppedBytes = 0;
        onLine(line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line);
        start = end + 1;
      }
      if (start === chunk.length) return;
      if (pendingBytes < MAX_LINE_BYTES) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
      } else {
        droppedBytes += chunk.length - start;
      }
    },
    gap(length) {
      onGap(length);
    },
    end() {
      if (pendingBytes > 0) onLine(Buffer.concat(pending));
      pending = [];
      pendingBytes = 0;
      onEnd();
    },
  };
}
