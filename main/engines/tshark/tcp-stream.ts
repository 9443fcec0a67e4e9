/** Receives one direction of a TCP connection in sequence order. */
export interface StreamConsumer {
  data(chunk: Buffer): void;
  /** Bytes the capture does not contain at this point of the stream. */
  gap(length: number): void;
  /** The direction ended: the connection closed or the capture ended. */
  end(): void;
}

/**
 * Bytes of out-of-order segments held per direction while waiting for the segment before them.
 * Past this, the missing range counts as a gap and the held data is delivered.
 */
const MAX_HELD_BYTES = 4 * 1024 * 1024;

/**
 * Puts the payload of one TCP direction back in order from tshark's relative sequence numbers,
 * drops retransmitted bytes and reports what the capture lost as gaps.
 */
export class TcpReassembler {
  private nextSeq: number | undefined;
  private readonly held = new Map<number, Buffer>();
  private heldBytes = 0;
  private ended = false;

  /** `synSeen` true makes the stream start at relative sequence 1, so a lost first segment is a gap. */
  constructor(
    private readonly consumer: StreamConsumer,
    synSeen: boolean,
  ) {
    if (synSeen) this.nextSeq = 1;
  }

  /**
   * Adds one segment. `length` is the TCP payload length from the header; a shorter `payload`
   * (a packet cut by the snap length) leaves the rest as a gap.
   */
  segment(seq: number, length: number, payload: Buffer): void {
    if (this.ended || length === 0) return;
    this.nextSeq ??= seq;
    this.place(seq, payload);
    this.drain();
    const cutBytes = length - payload.length;
    if (cutBytes > 0 && this.nextSeq === seq + payload.length) {
      this.consumer.gap(cutBytes);
      this.nextSeq += cutBytes;
      this.drain();
    }
    while (this.heldBytes > MAX_HELD_BYTES) this.skipToHeld();
  }

  /** Delivers what is held, with gaps for what never arrived, and ends the stream. */
  end(): void {
    if (this.ended) return;
    while (this.held.size > 0) this.skipToHeld();
    this.ended = true;
    this.consumer.end();
  }

  private place(seq: number, data: Buffer): void {
    const next = this.nextSeq!;
    const end = seq + data.length;
    if (end <= next) return;
    if (seq <= next) {
      this.consumer.data(data.subarray(next - seq));
      this.nextSeq = end;
      return;
    }
    const previous = this.held.get(seq);
    if (previous && previous.length >= data.length) return;
    this.heldBytes += data.length - (previous?.length ?? 0);
    this.held.set(seq, data);
  }

  /** Delivers held segments that now follow on. */
  private drain(): void {
    while (this.held.size > 0) {
      let seq: number | undefined = this.held.has(this.nextSeq!) ? this.nextSeq : undefined;
      if (seq === undefined) {
        for (const candidate of this.held.keys()) {
          if (candidate < this.nextSeq!) {
            seq = candidate;
            break;
          }
        }
      }
      if (seq === undefined) return;
      const data = this.held.get(seq)!;
      this.held.delete(seq);
      this.heldBytes -= data.length;
      this.place(seq, data);
    }
  }

  /** Reports the range up to the lowest held segment as a gap and continues from there. */
  private skipToHeld(): void {
    const lowest = Math.min(...this.held.keys());
    if (lowest > this.nextSeq!) {
      this.consumer.gap(lowest - this.nextSeq!);
      this.nextSeq = lowest;
    }
    this.drain();
  }
}
