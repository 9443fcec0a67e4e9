import type { PacketRow } from './fields.js';
import { connRecord, FlowTable } from './flows.js';
import { readPacketHeader } from './packet.js';
import { DnsLog } from './dns.js';
import { writeZeekJsonLog, type ZeekRecord } from './zeek-record.js';

/**
 * Feeds tshark's packet rows to the flow table and the per-protocol logs, and writes the
 * finished logs. Records stay in memory until the end because conn.log needs whole flows.
 */
export class PacketConverter {
  packetCount = 0;
  private readonly flows = new FlowTable();
  private readonly dns = new DnsLog();

  addPacket(row: PacketRow): void {
    this.packetCount += 1;
    const header = readPacketHeader(row);
    if (!header) return;
    const { flow } = this.flows.observe(header);
    if (row.has('dns.id')) this.dns.observe(row, flow, header.ts);
  }

  /** Writes every log that has records and returns their paths. */
  async writeLogs(outputDir: string): Promise<string[]> {
    const logs: Array<[string, ZeekRecord[]]> = [
      ['conn', this.flows.all().map(connRecord)],
      ['dns', this.dns.finish()],
    ];
    const written: string[] = [];
    for (const [name, records] of logs) {
      if (records.length > 0) written.push(await writeZeekJsonLog(outputDir, name, records));
    }
    return written;
  }
}
