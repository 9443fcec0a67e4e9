import { formatOptionalTime, formatTime, parseNarrative } from '../format.js';
import type { IocType, ReportModel } from '../report-model.js';
import { SECTION_TITLES, VERIFICATION_STEPS } from '../sections.js';
import { drawFlowDiagram } from './flow-diagram.js';
import { COLORS, ReportLayout, type TableColumn } from './layout.js';

export interface RenderOptions {
  /** Name of the signer, shown on the cover when the PDF is going to be signed. */
  signer?: string;
}

/** Audit details longer than this are shortened in the PDF, while the case keeps them whole. */
const MAX_AUDIT_DETAILS = 600;

const MAX_CONTENTS_LINES = 34;

export interface RenderedPdf {
  pdf: Buffer;
  pages: number;
}

/** Renders the report model as an unsigned PDF: cover, contents, the sections in report order, footers. */
export async function renderReportPdf(model: ReportModel, options: RenderOptions = {}): Promise<RenderedPdf> {
  const layout = new ReportLayout({ title: `Incident report: ${model.case.name}`, author: model.case.analyst, subject: `Netcase case ${model.case.id}` });
  const chunks: Buffer[] = [];
  layout.doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    layout.doc.on('end', resolve);
    layout.doc.on('error', reject);
  });

  drawCover(layout, model, options);
  layout.addPage();
  const contentsPage = layout.pageIndex;
  layout.addPage();
  drawSections(layout, model);
  drawContents(layout, contentsPage);
  layout.footers(model.case.id);
  const pages = layout.doc.bufferedPageRange().count;

  layout.doc.end();
  await finished;
  return { pdf: Buffer.concat(chunks), pages };
}

function drawCover(layout: ReportLayout, model: ReportModel, options: RenderOptions): void {
  const { doc } = layout;
  layout.addPage();
  doc.rect(0, 0, doc.page.width, 8).fill(COLORS.accent);
  doc.y = 150;
  layout.style('regular', 12, COLORS.muted).text('NETWORK FORENSICS', layout.left, doc.y, { characterSpacing: 2 });
  layout.style('bold', 28, COLORS.accent).text('Incident report', layout.left, doc.y + 6, { width: layout.contentWidth });
  layout.style('regular', 16, COLORS.text).text(model.case.name, layout.left, doc.y + 6, { width: layout.contentWidth });
  doc.moveDown(2);

  layout.facts([
    ['Case id', model.case.id],
    ['Analyst', model.case.analyst],
    ['Activity (UTC)', `${formatOptionalTime(model.timeRange.first)} to ${formatOptionalTime(model.timeRange.last)}`],
    ['Report generated', isoTimeText(model.generatedAt)],
    ['Signature', options.signer ? `Signed by ${options.signer}; see appendix B to verify` : 'Not signed'],
  ]);

  doc.moveDown(1);
  layout.style('bold', 11, COLORS.accent).text('Evidence', layout.left, doc.y);
  doc.moveDown(0.4);
  if (model.evidence.length === 0) layout.paragraph('No evidence files were added to the case; its events were imported from logs only.', { size: 9 });
  for (const item of model.evidence) {
    layout.ensureSpace(36);
    layout.style('bold', 9).text(`${item.file} (${item.kind}, ${item.size} bytes, ${item.status})`, layout.left, doc.y, { width: layout.contentWidth });
    layout.style('mono', 8.5).text(`SHA-256 ${item.sha256}`, layout.left, doc.y + 1, { width: layout.contentWidth });
    doc.moveDown(0.5);
  }
}

function drawContents(layout: ReportLayout, contentsPage: number): void {
  const { doc } = layout;
  doc.switchToPage(contentsPage);
  doc.x = layout.left;
  doc.y = 56;
  layout.style('bold', 16, COLORS.accent).text('Contents', layout.left, doc.y);
  doc.moveDown(1);
  // One contents page fits about 34 lines, so a longer list keeps the top-level sections only.
  const headings = layout.headings.length <= MAX_CONTENTS_LINES ? layout.headings : layout.headings.filter((heading) => heading.level === 1);
  for (const heading of headings) {
    const indent = heading.level === 1 ? 0 : 16;
    const size = heading.level === 1 ? 10.5 : 9.5;
    const y = doc.y;
    const pageLabel = String(heading.page + 1);
    layout.style(heading.level === 1 ? 'bold' : 'regular', size).text(heading.title, layout.left + indent, y, { width: layout.contentWidth - indent - 40, goTo: heading.destination, lineBreak: false });
    layout.style('regular', size).text(pageLabel, layout.left, y, { width: layout.contentWidth, align: 'right', goTo: heading.destination, lineBreak: false });
    doc.y = y + size * 1.9;
  }
}

function drawSections(layout: ReportLayout, model: ReportModel): void {
  layout.heading(SECTION_TITLES.summary);
  layout.blocks(parseNarrative(model.narrative['executive-summary'].text));

  drawMetadata(layout, model);
  drawFindings(layout, model);

  layout.heading(SECTION_TITLES.timeline);
  if (model.timeline.length === 0) layout.paragraph('No key events were recorded.');
  else layout.table([{ header: 'Time (UTC)', width: 0.27 }, { header: 'Event', width: 0.73 }], model.timeline.map((entry) => [formatTime(entry.ts), entry.description]), { size: 9 });

  layout.heading(SECTION_TITLES.flow);
  if (model.stages.length === 0) layout.paragraph('No incident stages were identified.');
  else {
    layout.paragraph('Each box is one stage, in the order the stages began; times are UTC.', { size: 9, color: COLORS.muted });
    drawFlowDiagram(layout, model.stages);
  }

  layout.heading(SECTION_TITLES.iocs);
  if (model.iocs.length === 0) layout.paragraph('The analyst tagged no indicators.');
  for (const table of model.iocs) {
    layout.heading(table.title, 2);
    layout.table(
      indicatorColumns(table.type),
      table.entries.map((ioc) => [ioc.role ? `${ioc.value} (${ioc.role})` : ioc.value, ioc.verdict, formatOptionalTime(ioc.firstSeen), ioc.note]),
    );
  }

  layout.heading(SECTION_TITLES.detections);
  if (model.detections.length === 0) layout.paragraph('No detection rule fired on this case.');
  else {
    layout.table(
      [{ header: 'Detection', width: 0.3 }, { header: 'What to alert on', width: 0.52 }, { header: 'ATT&CK', width: 0.18 }],
      model.detections.map((detection) => [`${detection.title}\n${detection.ruleId}`, detection.description, (detection.attack ?? []).join(', ')]),
    );
  }

  layout.heading(SECTION_TITLES.actions);
  layout.blocks(parseNarrative(model.narrative['recommended-actions'].text));

  layout.heading(SECTION_TITLES.scope);
  layout.blocks(parseNarrative(model.narrative.scope.text));
  layout.bulletList(model.limitations);

  layout.heading(SECTION_TITLES.audit);
  const verification = model.audit.verification;
  layout.paragraph(verification.ok ? `The hash chain of all ${verification.entries} entries verified when this report was built.` : `The hash chain is BROKEN at entry ${verification.firstBad?.id}: ${verification.firstBad?.reason}.`);
  layout.table(
    [{ header: '#', width: 0.05 }, { header: 'Time (UTC)', width: 0.21 }, { header: 'Actor', width: 0.12 }, { header: 'Action', width: 0.13, minSize: 6 }, { header: 'Details', width: 0.49, font: 'mono' }],
    model.audit.entries.map((entry) => [String(entry.id), entry.ts.replace('T', ' ').replace('Z', ''), entry.actor, entry.action, shorten(spaceJson(entry.details))]),
    { size: 7.5 },
  );

  layout.heading(SECTION_TITLES.verification);
  for (const step of VERIFICATION_STEPS) layout.paragraph(step);
}

/**
 * Returns the columns of one indicator table. Values shrink to 6 pt before they wrap, so that
 * copying one from the PDF gives it whole. Hashes and URLs get a wider column: a SHA-256 hash
 * (64 characters of DejaVu Sans Mono, 0.6 em each) fits in it at about 6.7 pt.
 */
function indicatorColumns(type: IocType): TableColumn[] {
  const longValues = type === 'hash' || type === 'url';
  return [
    { header: 'Value', width: longValues ? 0.55 : 0.4, font: 'mono', minSize: 6 },
    { header: 'Verdict', width: longValues ? 0.1 : 0.11 },
    { header: 'First seen (UTC)', width: 0.25 },
    { header: 'Note', width: longValues ? 0.1 : 0.24 },
  ];
}

function drawMetadata(layout: ReportLayout, model: ReportModel): void {
  layout.heading(SECTION_TITLES.metadata);
  const engine = model.engine ? `${model.engine.version} (${model.engine.name}); packets with bad checksums ${model.engine.allowBadChecksums ? 'allowed' : 'discarded'}` : 'None: Zeek logs were imported directly';
  layout.facts([
    ['Case name', model.case.name],
    ['Case id', model.case.id],
    ['Analyst', model.case.analyst],
    ['Case created', isoTimeText(model.case.created)],
    ['Time range', `${formatOptionalTime(model.timeRange.first)} to ${formatOptionalTime(model.timeRange.last)} UTC`],
    ['Engine', engine],
    ['Events imported', `${model.events.total} (${model.events.byLog.map((entry) => `${entry.log} ${entry.count}`).join(', ')})`],
  ]);
  if (model.evidence.length === 0) layout.paragraph('No evidence files were added to the case.');
  else layout.table(
    [{ header: 'Evidence file', width: 0.2 }, { header: 'Kind', width: 0.09 }, { header: 'Bytes', width: 0.09 }, { header: 'SHA-256', width: 0.5, font: 'mono', minSize: 6 }, { header: 'Status', width: 0.12 }],
    model.evidence.map((item) => [item.file, item.kind, String(item.size), item.sha256, item.actualSha256 ? `${item.status}; now ${item.actualSha256}` : item.status]),
  );
}

function drawFindings(layout: ReportLayout, model: ReportModel): void {
  layout.heading(SECTION_TITLES.findings);
  if (model.findingsByStage.length === 0) layout.paragraph('No findings were recorded.');
  model.findingsByStage.forEach((group, index) => {
    const stage = group.stage;
    layout.heading(stage ? `${index + 1}. ${stage.title}` : 'Not assigned to a stage', 2);
    if (stage?.summary) layout.paragraph(stage.summary);
    if (stage && stage.indicators.length > 0) layout.paragraph(stage.indicators.join(', '), { font: 'mono', size: 9 });
    const items = group.findings.map((finding) => {
      const tags = [finding.ruleId ? `rule ${finding.ruleId}` : '', ...(finding.attack ?? []).map((id) => `ATT&CK ${id}`)].filter(Boolean).join(', ');
      return `${finding.title}: ${finding.detail}${tags ? ` (${tags})` : ''}`;
    });
    if (items.length > 0) layout.bulletList(items);
  });
}

/** Returns an ISO 8601 UTC time as the report writes times elsewhere: "2026-01-09 18:04:43.417 UTC". */
function isoTimeText(iso: string): string {
  return iso.replace('T', ' ').replace('Z', ' UTC');
}

/** Returns JSON text with spaces between its parts, so a narrow cell wraps it between values rather than inside one. */
function spaceJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 1).replace(/\n\s*/g, ' ');
  } catch {
    return text;
  }
}

function shorten(text: string): string {
  return text.length > MAX_AUDIT_DETAILS ? `${text.slice(0, MAX_AUDIT_DETAILS)}… (${text.length} characters in the case)` : text;
}
