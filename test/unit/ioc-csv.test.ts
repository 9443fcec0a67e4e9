import { describe, expect, it } from 'vitest';
import { formatCsvRow, parseCsv, unprotectCell } from '../../main/iocs/csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas and line breaks', () => {
    const { rows, problems } = parseCsv('type,value,note\r\ndomain,a.example,"one, two"\r\nurl,http://b.example/,"line1\nline2 ""quoted"""\r\n');
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 1, fields: ['type', 'value', 'note'] },
      { line: 2, fields: ['domain', 'a.example', 'one, two'] },
      { line: 3, fields: ['url', 'http://b.example/', 'line1\nline2 "quoted"'] },
    ]);
  });

  it('reports a broken line and keeps the rest', () => {
    const { rows, problems } = parseCsv('a.example\n"b.example\nc.example\nd"x,y\ne.example\n');
    expect(problems.map((problem) => problem.line)).toEqual([2, 4]);
    expect(rows.map((row) => row.fields[0])).toEqual(['a.example', 'c.example', 'e.example']);
  });

  it('skips blank lines', () => {
    expect(parseCsv('\n\na.example\n\n').rows).toEqual([{ line: 3, fields: ['a.example'] }]);
  });
});

describe('formatCsvRow', () => {
  it('quotes commas, quotes and line breaks', () => {
    expect(formatCsvRow(['a,b', 'say "hi"', 'x\ny', 'plain'])).toBe('"a,b","say ""hi""","x\ny",plain');
  });

  it('defuses spreadsheet formulas reversibly', () => {
    const row = formatCsvRow(['=HYPERLINK("http://x")', '@SUM(1)', '-2+3']);
    expect(row).toBe(`"'=HYPERLINK(""http://x"")",'@SUM(1),'-2+3`);
    const cells = parseCsv(row).rows[0]!.fields.map(unprotectCell);
    expect(cells).toEqual(['=HYPERLINK("http://x")', '@SUM(1)', '-2+3']);
  });
});
