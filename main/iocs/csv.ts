/** RFC 4180 CSV: reading with line numbers for error reports, and writing with CRLF. */

export interface CsvRow {
  /** Line on which the row starts, counting from 1. */
  line: number;
  fields: string[];
}

export interface CsvProblem {
  line: number;
  reason: string;
}

/**
 * Splits CSV text into rows. Quoted fields may hold commas, doubled quotes and line breaks. A row
 * whose quotes are unbalanced is reported as a problem and reading resumes on the next line.
 */
export function parseCsv(text: string): { rows: CsvRow[]; problems: CsvProblem[] } {
  const rows: CsvRow[] = [];
  const problems: CsvProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let index = 0;
  while (index < lines.length) {
    const startLine = index + 1;
    let record = lines[index]!;
    index++;
    // Join physical lines while a quoted field is still open.
    while (countQuotes(record) % 2 === 1 && index < lines.length) {
      record += `\n${lines[index]!}`;
      index++;
    }
    if (record.trim() === '') continue;
    const fields = splitRecord(record);
    if (fields === null) {
      problems.push({ line: startLine, reason: 'a quoted field is not closed, or text follows its closing quote' });
      // Resume right after the line that failed, so one stray quote loses only one line.
      index = startLine;
      continue;
    }
    rows.push({ line: startLine, fields });
  }
  return { rows, problems };
}

function countQuotes(text: string): number {
  let count = 0;
  for (const character of text) if (character === '"') count++;
  return count;
}

function splitRecord(record: string): string[] | null {
  const fields: string[] = [];
  let position = 0;
  for (;;) {
    if (record[position] === '"') {
      let value = '';
      position++;
      for (;;) {
        const quote = record.indexOf('"', position);
        if (quote < 0) return null;
        value += record.slice(position, quote);
        if (record[quote + 1] === '"') {
          value += '"';
          position = quote + 2;
          continue;
        }
        position = quote + 1;
        break;
      }
      fields.push(value);
      if (position === record.length) return fields;
      if (record[position] !== ',') return null;
      position++;
    } else {
      const comma = record.indexOf(',', position);
      const value = comma < 0 ? record.slice(position) : record.slice(position, comma);
      if (value.includes('"')) return null;
      fields.push(value);
      if (comma < 0) return fields;
      position = comma + 1;
    }
  }
}

/**
 * Formats one CSV row. Cells that a spreadsheet would run as a formula (starting with =, +, -, @)
 * get a leading apostrophe, because user agents and notes come from captured traffic;
 * `unprotectCell` removes it again on import.
 */
export function formatCsvRow(cells: string[]): string {
  return cells.map((cell) => quoteCell(protectCell(cell))).join(',');
}

export function protectCell(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function unprotectCell(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
}

function quoteCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;
}
