import { microsToIso } from '../time.js';
import { formatCsvRow } from './csv.js';
import type { IocExportModel } from './export-model.js';

/** Columns of the CSV export, in order. Lists inside a cell are joined with ";". */
export const CSV_COLUMNS = [
  'type',
  'value',
  'verdict',
  'confidence',
  'tags',
  'note',
  'analyst',
  'created',
  'updated',
  'events',
  'first_seen',
  'last_seen',
  'hosts',
] as const;

/** Formats one row per IOC under a header row, with CRLF line ends (RFC 4180) and ISO 8601 UTC times. */
export function exportCsv(model: IocExportModel): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const ioc of model.iocs) {
    lines.push(
      formatCsvRow([
        ioc.type,
        ioc.value,
        ioc.verdict,
        ioc.confidence === null ? '' : String(ioc.confidence),
        ioc.tags.join(';'),
        ioc.note,
        ioc.analyst,
        ioc.createdAt,
        ioc.updatedAt,
        String(ioc.sighting.events),
        ioc.sighting.firstSeen === null ? '' : microsToIso(ioc.sighting.firstSeen),
        ioc.sighting.lastSeen === null ? '' : microsToIso(ioc.sighting.lastSeen),
        ioc.sighting.hosts.join(';'),
      ]),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
