import { formatOptionalTime, formatTime, parseNarrative } from './format.js';
import type { ReportModel } from './report-model.js';
import { SECTION_TITLES, VERIFICATION_STEPS } from './sections.js';

/** Renders the report model as Markdown (GitHub flavour), section for section like the PDF. */
export function renderMarkdown(model: ReportModel): string {
  const out: string[] = [];
  out.push(`# Incident report: ${inline(model.case.name)}`, '');
  out.push(`Case ${code(model.case.id)} · analyst ${inline(model.case.analyst)} · generated ${model.generatedAt}`, '');

  heading(out, SECTION_TITLES.summary);
  narrative(out, model.narrative['executive-summary'].text);

  heading(out, SECTION_TITLES.metadata);
  out.push(`- Case name: ${inline(model.case.name)}`);
  out.push(`- Case id: ${code(model.case.id)}`);
  out.push(`- Analyst: ${inline(model.case.analyst)}`);
  out.push(`- Time range: ${formatOptionalTime(model.timeRange.first)} to ${formatOptionalTime(model.timeRange.last)} UTC`);
  out.push(`- Engine: ${model.engine ? `${inline(model.engine.version)} (${model.engine.name}${model.engine.allowBadChecksums ? ', bad checksums allowed' : ''})` : 'none (Zeek logs imported directly)'}`);
  out.push(`- Events imported: ${model.events.total} (${model.events.byLog.map((entry) => `${entry.log} ${entry.count}`).join(', ')})`, '');
  table(out, ['Evidence file', 'Kind', 'Bytes', 'SHA-256', 'Status'], model.evidence.map((item) => [item.file, item.kind, String(item.size), code(item.sha256), item.actualSha256 ? `${item.status}, now ${item.actualSha256}` : item.status]));

  heading(out, SECTION_TITLES.findings);
  if (model.findingsByStage.length === 0) out.push('No findings were recorded.', '');
  model.findingsByStage.forEach((group, index) => {
    const stage = group.stage;
    out.push(`### ${stage ? `${index + 1}. ${inline(stage.title)}` : 'Not assigned to a stage'}`, '');
    if (stage?.summary) out.push(inline(stage.summary), '');
    if (stage && stage.indicators.length > 0) out.push(`Indicators: ${stage.indicators.map(code).join(', ')}`, '');
    for (const finding of group.findings) {
      const tags = [finding.ruleId ? `rule ${code(finding.ruleId)}` : '', ...(finding.attack ?? []).map((id) => `ATT&CK ${id}`)].filter(Boolean).join(', ');
      out.push(`- **${inline(finding.title)}**: ${inline(finding.detail)}${tags ? ` (${tags})` : ''}`);
    }
    if (group.findings.length > 0) out.push('');
  });

  heading(out, SECTION_TITLES.timeline);
  if (model.timeline.length === 0) out.push('No key events were recorded.', '');
  else table(out, ['Time (UTC)', 'Event'], model.timeline.map((entry) => [formatTime(entry.ts), entry.description]));

  heading(out, SECTION_TITLES.flow);
  if (model.stages.length === 0) out.push('No incident stages were identified.', '');
  else {
    model.stages.forEach((stage, index) => {
      const time = stage.start === null ? '' : ` (${formatTime(stage.start)})`;
      out.push(`${index + 1}. ${inline(stage.title)}${time}${stage.indicators.length ? `: ${stage.indicators.slice(0, 3).map(code).join(', ')}` : ''}`);
    });
    out.push('');
  }

  heading(out, SECTION_TITLES.iocs);
  if (model.iocs.length === 0) out.push('The analyst tagged no indicators.', '');
  for (const iocTable of model.iocs) {
    out.push(`### ${iocTable.title}`, '');
    table(out, ['Value', 'Verdict', 'First seen (UTC)', 'Note'], iocTable.entries.map((ioc) => [code(ioc.value) + (ioc.role ? ` (${ioc.role})` : ''), ioc.verdict, formatOptionalTime(ioc.firstSeen), ioc.note]));
  }

  heading(out, SECTION_TITLES.detections);
  if (model.detections.length === 0) out.push('No detection rule fired on this case.', '');
  for (const detection of model.detections) {
    const attack = detection.attack?.length ? ` (ATT&CK ${detection.attack.join(', ')})` : '';
    out.push(`- **${inline(detection.title)}** (${code(detection.ruleId)})${attack}: ${inline(detection.description)}`);
  }
  if (model.detections.length > 0) out.push('');

  heading(out, SECTION_TITLES.actions);
  narrative(out, model.narrative['recommended-actions'].text);

  heading(out, SECTION_TITLES.scope);
  narrative(out, model.narrative.scope.text);
  for (const line of model.limitations) out.push(`- ${inline(line)}`);
  out.push('');

  heading(out, SECTION_TITLES.audit);
  const verification = model.audit.verification;
  out.push(verification.ok ? `The hash chain of all ${verification.entries} entries verified when this report was built.` : `The hash chain is BROKEN at entry ${verification.firstBad?.id}: ${verification.firstBad?.reason}.`, '');
  table(out, ['#', 'Time (UTC)', 'Actor', 'Action', 'Details'], model.audit.entries.map((entry) => [String(entry.id), entry.ts, entry.actor, entry.action, entry.details]));

  heading(out, SECTION_TITLES.verification);
  out.push('This Markdown file is an unsigned copy of the report. Only the PDF carries the signature.', '');
  for (const step of VERIFICATION_STEPS) out.push(step, '');
  return `${out.join('\n').trimEnd()}\n`;
}

function heading(out: string[], title: string): void {
  out.push(`## ${title}`, '');
}

function narrative(out: string[], text: string): void {
  for (const block of parseNarrative(text)) {
    if (block.kind === 'paragraph') out.push(inline(block.text), '');
    else out.push(...block.items.map((item) => `- ${inline(item)}`), '');
  }
}

function table(out: string[], header: string[], rows: string[][]): void {
  out.push(`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`);
  for (const row of rows) out.push(`| ${row.map(cell).join(' | ')} |`);
  out.push('');
}

/** Text from the capture or the analyst, with Markdown's active characters escaped. */
function inline(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, '\\$&').replace(/\s*\n\s*/g, ' ');
}

function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.replace(/\s*\n\s*/g, ' ')}${fence}`;
}

function cell(text: string): string {
  // Cells that are already code spans keep their text, and everything else is escaped.
  return text.startsWith('`') ? text.replace(/\|/g, '\\|') : inline(text);
}
