import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { NetcaseError } from '../../errors.js';
import type { TextBlock } from '../format.js';

export const FONT_FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf', mono: 'DejaVuSansMono.ttf' } as const;
export type FontName = keyof typeof FONT_FILES;

export const COLORS = { text: '#1a1a1a', muted: '#5a5a5a', rule: '#b8bec6', header: '#e8ecf1', accent: '#1f4e79', box: '#f3f6fa' };

const MARGIN = { top: 56, bottom: 64, left: 56, right: 56 };

export interface TableColumn {
  header: string;
  /** Share of the content width; the shares of a table add up to 1. */
  width: number;
  font?: FontName;
  /**
   * Smallest font size, in points, to which a cell's text shrinks to stay on one line. A value
   * broken across lines is copied out of the PDF with a line break in it, which matters for
   * indicators. Text that does not fit even at this size wraps.
   */
  minSize?: number;
}

/**
 * Finds the report fonts: in a packaged app, `fonts` beside app.asar (process.resourcesPath);
 * otherwise `resources/fonts`, found by walking up from this module, so the same code works
 * from the TypeScript sources (tests) and from the bundle in out/main.
 */
export function findFontDir(): string {
  const packaged = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (packaged && existsSync(join(packaged, 'fonts', FONT_FILES.regular))) return join(packaged, 'fonts');

  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(dir, 'resources', 'fonts');
    if (existsSync(join(candidate, FONT_FILES.regular))) return candidate;
    dir = resolve(dir, '..');
  }
  throw new NetcaseError('INTERNAL', `The report font ${FONT_FILES.regular} was not found in resources/fonts above ${fileURLToPath(import.meta.url)}. Reinstall Netcase.`);
}

/**
 * A pdfkit document with the report's fonts, page size and the few layout primitives the report
 * needs: headings that feed the table of contents, paragraphs, lists and tables that break
 * across pages. Pages stay buffered so the contents page and footers are written last.
 */
export class ReportLayout {
  readonly doc: PDFKit.PDFDocument;
  readonly headings: { title: string; level: number; page: number; destination: string }[] = [];

  constructor(info: { title: string; author: string; subject: string }) {
    const fontDir = findFontDir();
    this.doc = new PDFDocument({
      size: 'A4',
      margins: MARGIN,
      bufferPages: true,
      autoFirstPage: false,
      // No default font: pdfkit would load Helvetica, and a registered font that shares the
      // default's name would then be parsed again on every switch.
      font: null,
      info: { Title: info.title, Author: info.author, Subject: info.subject, Creator: 'Netcase' },
      lang: 'en',
      displayTitle: true,
    } as unknown as PDFKit.PDFDocumentOptions);
    for (const [name, file] of Object.entries(FONT_FILES)) this.doc.registerFont(name, join(fontDir, file));
    this.doc.font('regular');
  }

  get contentWidth(): number {
    return this.doc.page.width - MARGIN.left - MARGIN.right;
  }

  get left(): number {
    return MARGIN.left;
  }

  /** Bottom edge of the area text may use on the current page. */
  get bottom(): number {
    return this.doc.page.height - MARGIN.bottom;
  }

  get pageIndex(): number {
    return this.doc.bufferedPageRange().start + this.doc.bufferedPageRange().count - 1;
  }

  addPage(): void {
    this.doc.addPage();
    this.doc.x = MARGIN.left;
    this.doc.y = MARGIN.top;
  }

  /** Starts a new page unless `height` points still fit on this one. */
  ensureSpace(height: number): void {
    if (this.doc.y + height > this.bottom) this.addPage();
  }

  style(font: FontName, size: number, color = COLORS.text): PDFKit.PDFDocument {
    return this.doc.font(font).fontSize(size).fillColor(color);
  }

  /** Writes a section heading and lists it in the table of contents and the PDF outline. */
  heading(title: string, level: 1 | 2 = 1): void {
    const size = level === 1 ? 16 : 12.5;
    this.ensureSpace(size * 4);
    if (this.doc.y > MARGIN.top) this.doc.moveDown(level === 1 ? 1 : 0.6);
    const destination = `section-${this.headings.length + 1}`;
    this.doc.addNamedDestination(destination, 'XYZ', MARGIN.left, this.doc.page.height - this.doc.y, null as never);
    this.headings.push({ title, level, page: this.pageIndex, destination });
    if (level === 1) this.doc.outline.addItem(title);
    this.style('bold', size, COLORS.accent).text(title, MARGIN.left, this.doc.y, { width: this.contentWidth });
    if (level === 1) {
      const y = this.doc.y + 2;
      this.doc.moveTo(MARGIN.left, y).lineTo(MARGIN.left + this.contentWidth, y).lineWidth(0.8).strokeColor(COLORS.accent).stroke();
      this.doc.y = y + 6;
    } else {
      this.doc.moveDown(0.3);
    }
  }

  paragraph(text: string, options: { font?: FontName; size?: number; color?: string } = {}): void {
    this.style(options.font ?? 'regular', options.size ?? 10, options.color).text(text, MARGIN.left, this.doc.y, { width: this.contentWidth, lineGap: 2 });
    this.doc.moveDown(0.5);
  }

  bulletList(items: string[], options: { font?: FontName; size?: number } = {}): void {
    const size = options.size ?? 10;
    const indent = 14;
    for (const item of items) {
      this.style(options.font ?? 'regular', size);
      const height = this.doc.heightOfString(item, { width: this.contentWidth - indent, lineGap: 2 });
      this.ensureSpace(Math.min(height, 3 * size));
      const y = this.doc.y;
      this.style('regular', size).text('•', MARGIN.left + 3, y, { lineBreak: false });
      this.style(options.font ?? 'regular', size).text(item, MARGIN.left + indent, y, { width: this.contentWidth - indent, lineGap: 2 });
      this.doc.moveDown(0.2);
    }
    this.doc.moveDown(0.3);
  }

  blocks(blocks: TextBlock[]): void {
    blocks.forEach((block, index) => {
      if (block.kind === 'list') return this.bulletList(block.items);
      // A short line without a full stop right before a list is that list's title.
      const isTitle = blocks[index + 1]?.kind === 'list' && block.text.length <= 60 && !/[.:;!?]$/.test(block.text);
      this.paragraph(block.text, isTitle ? { font: 'bold' } : {});
    });
  }

  /** Label and value pairs as two aligned columns. */
  facts(rows: [string, string][], labelWidth = 120): void {
    for (const [label, value] of rows) {
      this.style('regular', 10);
      const height = this.doc.heightOfString(value, { width: this.contentWidth - labelWidth });
      this.ensureSpace(height);
      const y = this.doc.y;
      this.style('bold', 10).text(label, MARGIN.left, y, { width: labelWidth - 8 });
      this.style('regular', 10).text(value, MARGIN.left + labelWidth, y, { width: this.contentWidth - labelWidth });
      this.doc.y = Math.max(this.doc.y, y + height) + 3;
    }
    this.doc.moveDown(0.4);
  }

  /**
   * Draws a table whose cells wrap inside their column. A row that does not fit on the page moves
   * to the next one, and the header row is repeated there.
   */
  table(columns: TableColumn[], rows: string[][], options: { size?: number } = {}): void {
    const size = options.size ?? 8.5;
    const padding = 3;
    const widths = columns.map((column) => column.width * this.contentWidth);
    // Font size and height of each row, worked out once and used both to break pages and to draw.
    const layoutRow = (cells: string[], fonts: FontName[]) => {
      const sizes = cells.map((text, i) => {
        const minSize = columns[i]!.minSize;
        if (minSize === undefined || text === '') return size;
        const fitted = (size * (widths[i]! - 2 * padding)) / this.style(fonts[i]!, size).widthOfString(text);
        return Math.max(minSize, Math.min(size, Math.floor(fitted * 10) / 10));
      });
      const height = Math.max(...cells.map((text, i) => this.style(fonts[i]!, sizes[i]!).heightOfString(text || ' ', { width: widths[i]! - 2 * padding }))) + 2 * padding;
      return { cells, fonts, sizes, height };
    };
    const cellFonts = columns.map((column) => column.font ?? 'regular');
    const header = layoutRow(
      columns.map((column) => column.header),
      columns.map((): FontName => 'bold'),
    );

    const drawRow = (row: ReturnType<typeof layoutRow>, fill?: string): void => {
      const y = this.doc.y;
      let x = MARGIN.left;
      if (fill) this.doc.rect(MARGIN.left, y, this.contentWidth, row.height).fill(fill);
      row.cells.forEach((text, i) => {
        this.style(row.fonts[i]!, row.sizes[i]!).text(text, x + padding, y + padding, { width: widths[i]! - 2 * padding });
        x += widths[i]!;
      });
      this.doc.moveTo(MARGIN.left, y + row.height).lineTo(MARGIN.left + this.contentWidth, y + row.height).lineWidth(0.4).strokeColor(COLORS.rule).stroke();
      this.doc.x = MARGIN.left;
      this.doc.y = y + row.height;
    };

    const laidOut = rows.map((row) => layoutRow(row, cellFonts));

    // The header goes to the next page with the first row, so it never ends a page alone. A
    // first row taller than a third of a page may start on this one.
    const firstRowHeight = laidOut[0]?.height ?? header.height;
    this.ensureSpace(header.height + Math.min(firstRowHeight, (this.bottom - MARGIN.top) / 3));
    drawRow(header, COLORS.header);
    for (const row of laidOut) {
      if (this.doc.y + row.height > this.bottom) {
        this.addPage();
        drawRow(header, COLORS.header);
      }
      drawRow(row);
    }
    this.doc.moveDown(0.8);
  }

  /** Writes "case id · page N of M" at the foot of every page but the cover. */
  footers(caseId: string): void {
    const range = this.doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      if (i === range.start) continue;
      this.doc.switchToPage(i);
      const bottomMargin = this.doc.page.margins.bottom;
      // Text below the bottom margin would start a new page, so the margin is lifted while writing.
      this.doc.page.margins.bottom = 0;
      const y = this.doc.page.height - MARGIN.bottom + 24;
      this.style('regular', 8, COLORS.muted).text(`${caseId} · page ${i - range.start + 1} of ${range.count}`, MARGIN.left, y, { width: this.contentWidth, align: 'center', lineBreak: false });
      this.doc.page.margins.bottom = bottomMargin;
    }
  }
}
