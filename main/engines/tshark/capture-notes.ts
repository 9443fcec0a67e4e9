import { microsToIso } from '../../time.js';

/** Frame numbers quoted per problem in a warning; the count is always complete. */
const MAX_FRAMES_QUOTED = 5;

/** Link-layer names tshark gives packets it could not decode at all. */
const UNDECODED_LINK_LAYERS = new Set(['data', 'user_dlt', 'wtap_encap']);

/** Packets recorded after this long past the analysis time count as dated in the future. */
const FUTURE_SLACK_MICROS = 24 * 3600 * 1_000_000;

interface Problem {
  count: number;
  frames: number[];
}

/**
 * Counts packets the logs cannot fully reflect (bad times, undecodable link layers, cut-short
 * packets, dates in the future) and words them as run warnings.
 */
export class CaptureNotes {
  private readonly invalidTime = newProblem();
  private readonly futureTime = newProblem();
  private readonly undecodedLinkLayer = newProblem();
  private readonly cutShort = newProblem();
  private readonly futureLimit = Date.now() * 1000 + FUTURE_SLACK_MICROS;
  private latestFuture = 0;
  private linkLayerName = '';
  private ipPackets = 0;
  private packets = 0;

  /** Notes one packet and returns false when it cannot be used at all. */
  notePacket(frame: number, ts: number | undefined, protocols: string[], length: number, capturedLength: number): boolean {
    this.packets += 1;
    if (capturedLength < length) add(this.cutShort, frame);
    const linkLayer = protocols[0] ?? '';
    if (UNDECODED_LINK_LAYERS.has(linkLayer)) {
      add(this.undecodedLinkLayer, frame);
      this.linkLayerName ||= linkLayer;
      return false;
    }
    if (ts === undefined) {
      add(this.invalidTime, frame);
      return false;
    }
    if (ts > this.futureLimit) {
      add(this.futureTime, frame);
      this.latestFuture = Math.max(this.latestFuture, ts);
    }
    return true;
  }

  noteIpPacket(): void {
    this.ipPackets += 1;
  }

  warnings(): string[] {
    const warnings: string[] = [];
    if (this.undecodedLinkLayer.count > 0) {
      warnings.push(
        `${describe(this.undecodedLinkLayer, 'uses', 'use')} a link-layer type tshark cannot decode (${this.linkLayerName}), so the logs leave them out.`,
      );
    }
    if (this.invalidTime.count > 0) {
      warnings.push(`${describe(this.invalidTime, 'has', 'have')} an invalid timestamp (a fraction of a second of one second or more), so the logs leave them out.`);
    }
    if (this.futureTime.count > 0) {
      warnings.push(`${describe(this.futureTime, 'is', 'are')} dated in the future (latest ${microsToIso(this.latestFuture)}); their times are kept as recorded, so check the capture's clock.`);
    }
    if (this.cutShort.count > 0) {
      warnings.push(`${describe(this.cutShort, 'was', 'were')} cut short by the capture's snapshot length, so the logs miss the rest of the content.`);
    }
    if (this.packets > 0 && this.ipPackets === 0 && this.undecodedLinkLayer.count < this.packets) {
      const read = this.packets === 1 ? '1 packet read' : `${this.packets} packets read`;
      warnings.push(`No packet in the capture carries TCP, UDP or ICMP over IP (${read}), so the logs are empty.`);
    }
    return warnings;
  }
}

function newProblem(): Problem {
  return { count: 0, frames: [] };
}

function add(problem: Problem, frame: number): void {
  problem.count += 1;
  if (problem.frames.length < MAX_FRAMES_QUOTED) problem.frames.push(frame);
}

/** "1 packet (frame 7) has" or "3 packets (frames 2, 5, 9) have": the subject of a warning. */
function describe(problem: Problem, singularVerb: string, pluralVerb: string): string {
  const more = problem.count > problem.frames.length ? ', ...' : '';
  const one = problem.count === 1;
  return `${problem.count} ${one ? 'packet' : 'packets'} (${one ? 'frame' : 'frames'} ${problem.frames.join(', ')}${more}) ${one ? singularVerb : pluralVerb}`;
}
