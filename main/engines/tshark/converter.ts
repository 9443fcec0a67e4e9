import type { PacketRow } from './fields.js';
import { connRecord, FlowTable, takeMessageStart, type Flow } from './flows.js';
import { epochFieldToMicros, readPacketHeader } from './packet.js';
import { CaptureNotes } from './capture-notes.js';
import { DnsLog } from './dns.js';
import { FileContent } from './file-content.js';
import { FileLog } from './files.js';
import { FtpLog } from './ftp.js';
import { HttpLog } from './http.js';
import { SmtpLog } from './smtp.js';
import { SslLog } from './ssl.js';
import { writeZeekJsonLog, type ZeekRecord } from './zeek-record.js';

/** tshark's checksum status value for a checksum it verified and found wrong. */
const CHECKSUM_BAD = '0';

/**
 * Feeds tshark's packet rows to the flow table and the per-protocol logs, and writes the
 * finished logs. Records stay in memory until the end because conn.log needs whole flows.
 */
export class PacketConverter {
  packetCount = 0;
  /** Packets whose application data was not analysed because a checksum was wrong. */
  badChecksumPackets = 0;
  private readonly flows = new FlowTable();
  private readonly content = new FileContent(() => this.ftp.dataChannels);
  private readonly files = new FileLog(this.content);
  private readonly dns = new DnsLog();
  private readonly http = new HttpLog(this.files);
  private readonly ssl = new SslLog();
  private readonly smtp = new SmtpLog(this.files);
  private readonly ftp = new FtpLog();
  private readonly notes = new CaptureNotes();

  /**
   * `allowBadChecksums` false makes packets with a wrong checksum count as Zeek counts them
   * without -C: a bad IP header checksum drops the packet, and a bad TCP or UDP checksum keeps
   * it in conn.log but out of the application logs. tshark must then verify checksums.
   */
  constructor(private readonly allowBadChecksums = true) {}

  addPacket(row: PacketRow): void {
    this.packetCount += 1;
    if (!this.allowBadChecksums && row.first('ip.checksum.status') === CHECKSUM_BAD) {
      this.badChecksumPackets += 1;
      return;
    }
    const frame = row.firstNumber('frame.number') ?? this.packetCount;
    const ts = epochFieldToMicros(row.first('frame.time_epoch'));
    const protocols = (row.first('frame.protocols') ?? '').split(':');
    const length = row.firstNumber('frame.len') ?? 0;
    if (!this.notes.notePacket(frame, ts, protocols, length, row.firstNumber('frame.cap_len') ?? length)) return;

    const header = readPacketHeader(row);
    if (!header) return;
    this.notes.noteIpPacket();
    const { flow, fromOrig } = this.flows.observe(header);
    if (!this.allowBadChecksums && (row.first('tcp.checksum.status') === CHECKSUM_BAD || row.first('udp.checksum.status') === CHECKSUM_BAD)) {
      this.badChecksumPackets += 1;
      return;
    }

    // Before the protocol logs, so that a message they see complete has all its bytes hashed.
    this.content.observe(row, flow, fromOrig, header);
    if (row.has('dns.id') || row.has('nbns.id')) this.dns.observe(row, flow, header.ts);
    if (row.has('http.request.method') || row.has('http.response.code')) {
      const start = row.has('http.request.method') ? takeMessageStart(flow, fromOrig, header.ts) : header.ts;
      this.http.observe(row, flow, start);
    } else if (header.payloadBytes > 0 && header.protocols.includes('http')) {
      takeMessageStart(flow, fromOrig, header.ts);
    }
    if (row.has('tls.handshake.type') || row.has('tls.record.content_type')) this.ssl.observe(row, flow, fromOrig);
    if (row.has('smtp.req.command') || row.has('smtp.response.code') || row.has('imf.from') || row.has('imf.subject')) {
      this.smtp.observe(row, flow, header.ts);
    }
    if (row.has('ftp.request.command') || row.has('ftp.response.code')) this.ftp.observe(row, flow, header.ts);
  }

  /** Problems in the capture that the logs cannot show, as warnings for the run record. */
  warnings(): string[] {
    return this.notes.warnings();
  }

  /** Writes every log that has records and returns their paths. */
  async writeLogs(outputDir: string): Promise<string[]> {
    this.linkFtpDataChannels();
    await this.content.finish();
    const logs: Array<[string, ZeekRecord[]]> = [
      ['conn', this.flows.all().map(connRecord)],
      ['dns', this.dns.finish()],
      ['http', this.http.finish()],
      ['ssl', this.ssl.finish()],
      ['smtp', this.smtp.finish()],
      ['ftp', this.ftp.finish()],
      ['files', this.files.finish()],
    ];
    const written: string[] = [];
    for (const [name, records] of logs) {
      if (records.length > 0) written.push(await writeZeekJsonLog(outputDir, name, records));
    }
    return written;
  }

  /**
   * Marks the connections that FTP control sessions announced as `ftp-data`; tshark misses
   * those set up with PORT. A transfer command's file becomes a files.log record.
   */
  private linkFtpDataChannels(): void {
    this.ftp.closePending();
    const flows = this.flows.all().filter((flow) => flow.transport === 'tcp');
    for (const channel of this.ftp.dataChannels) {
      const dataFlow = flows.find(
        (flow) => flow.respH === channel.respH && flow.respP === channel.respP && flow.firstTs >= channel.announcedTs,
      );
      if (!dataFlow) continue;
      if (!dataFlow.services.includes('ftp-data')) dataFlow.services.push('ftp-data');
      if (channel.transfer) this.addFtpFile(dataFlow, channel.transfer);
    }
  }

  private addFtpFile(dataFlow: Flow, transfer: ZeekRecord): void {
    const origBytes = dataFlow.orig.seqEnd !== undefined && dataFlow.orig.seqStart !== undefined ? dataFlow.orig.seqEnd - dataFlow.orig.seqStart : 0;
    const respBytes = dataFlow.resp.seqEnd !== undefined && dataFlow.resp.seqStart !== undefined ? dataFlow.resp.seqEnd - dataFlow.resp.seqStart : 0;
    const isOrig = origBytes > respBytes;
    const size = typeof transfer.file_size === 'number' ? transfer.file_size : undefined;
    const file = this.files.addFtpData(dataFlow, dataFlow.firstTs, isOrig, isOrig ? origBytes : respBytes, size);
    transfer.fuid = file.fuid;
  }
}
