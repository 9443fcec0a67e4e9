import { NetcaseError } from '../errors.js';
import type { OpenCase } from '../case/case-folder.js';
import { appendAudit } from '../case/audit.js';
import type { Db } from '../store/database.js';
import type { IocType, ReportFacts } from './report-model.js';
import { formatTime } from './format.js';

/**
 * Narrative fields of the report. Netcase writes a draft of each from the case, and the analyst
 * replaces it with `netcase report edit`. The text is plain, with paragraphs separated by a blank
 * line and list items on lines starting with "- ".
 */
export const NARRATIVE_FIELDS = ['executive-summary', 'recommended-actions', 'scope'] as const;
export type NarrativeField = (typeof NARRATIVE_FIELDS)[number];

/** Maximum length of one narrative field, in characters. */
export const MAX_DRAFT_LENGTH = 20_000;

export function isNarrativeField(name: string): name is NarrativeField {
  return (NARRATIVE_FIELDS as readonly string[]).includes(name);
}

export function generateDrafts(facts: ReportFacts): Record<NarrativeField, string> {
  return {
    'executive-summary': draftExecutiveSummary(facts),
    'recommended-actions': draftRecommendedActions(facts),
    scope: draftScope(facts),
  };
}

export function readDraftOverrides(db: Db): Map<NarrativeField, string> {
  const rows = db.prepare('SELECT field, text FROM report_drafts').all() as { field: string; text: string }[];
  return new Map(rows.filter((row) => isNarrativeField(row.field)).map((row) => [row.field as NarrativeField, row.text]));
}

/**
 * Stores the analyst's text for a narrative field, or removes it when `text` is null so the
 * generated draft is used again. The change and its audit entry commit together.
 */
export function setReportDraft(opened: OpenCase, field: string, text: string | null): void {
  if (!isNarrativeField(field)) {
    throw new NetcaseError('INVALID_ARGUMENT', `Unknown report field "${field}". Fields the analyst can edit: ${NARRATIVE_FIELDS.join(', ')}.`);
  }
  if (text !== null) {
    if (text.trim() === '') throw new NetcaseError('INVALID_ARGUMENT', `The text for report field "${field}" is empty. Give the text, or use --clear to return to the generated draft.`);
    if (text.length > MAX_DRAFT_LENGTH) throw new NetcaseError('INVALID_ARGUMENT', `The text for report field "${field}" has ${text.length} characters; the maximum is ${MAX_DRAFT_LENGTH}.`);
  }

  opened.db.transaction(() => {
    if (text === null) {
      opened.db.prepare('DELETE FROM report_drafts WHERE field = ?').run(field);
    } else {
      opened.db
        .prepare('INSERT INTO report_drafts (field, text, updated_at, updated_by) VALUES (?, ?, ?, ?) ON CONFLICT(field) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at, updated_by = excluded.updated_by')
        .run(field, text, new Date().toISOString(), opened.actor);
    }
    appendAudit(opened.db, opened.actor, text === null ? 'report.draft.clear' : 'report.draft.edit', { field, text });
  })();
}

function draftExecutiveSummary(facts: ReportFacts): string {
  const { first, last } = facts.timeRange;
  const span = first !== null && last !== null ? ` between ${formatTime(first)} and ${formatTime(last)} UTC (${describeDuration(last - first)})` : '';
  const paragraphs = [`Netcase examined ${facts.events.total} network events${span} from ${facts.evidence.length} evidence file(s).`];

  if (facts.stages.length > 0) {
    // Stage titles are kept as written, because some start with an acronym ("IP discovery", "C2 channel").
    const titles = facts.stages.map((stage) => stage.title);
    paragraphs.push(`The activity falls into ${facts.stages.length} stage(s): ${titles.join('; ')}.`);
  } else {
    paragraphs.push('No incident stages were identified in the analysed traffic.');
  }

  const tagged = facts.iocs.reduce((sum, table) => sum + table.entries.length, 0);
  const malicious = facts.iocs.reduce((sum, table) => sum + table.entries.filter((ioc) => ioc.verdict === 'malicious').length, 0);
  if (tagged > 0) paragraphs.push(`The analyst tagged ${tagged} indicator(s), ${malicious} of them as malicious; they are listed in the indicator tables below.`);

  paragraphs.push('The report rests on network telemetry alone. Without endpoint data it cannot confirm how the host was infected or what the transferred data contained.');
  return paragraphs.join('\n\n');
}

/** The place to block or watch each kind of indicator, for the containment steps: type, noun, place. */
const CONTAINMENT_BY_TYPE: Array<[IocType, string, string]> = [
  ['domain', 'domain(s)', 'at the DNS resolver and web proxy'],
  ['ip', 'IP address(es)', 'at the firewall'],
  ['url', 'URL(s)', 'at the web proxy'],
  ['email', 'e-mail address(es)', 'at the mail gateway, and search the mail logs for them'],
  ['hash', 'file hash(es)', 'in the endpoint protection'],
];

function draftRecommendedActions(facts: ReportFacts): string {
  // Indicators tagged benign or unknown are not worth blocking.
  const blocking: string[] = [];
  for (const [type, noun, where] of CONTAINMENT_BY_TYPE) {
    const entries = facts.iocs.find((table) => table.type === type)?.entries ?? [];
    const count = entries.filter((entry) => entry.verdict === 'malicious' || entry.verdict === 'suspicious').length;
    if (count > 0) blocking.push(`- Block or watch the ${count} tagged ${noun} ${where}.`);
  }
  return [
    'Containment',
    '- Isolate the affected host from the network until it has been examined.',
    ...(blocking.length > 0 ? blocking : ['- Block or watch the tagged indicators at the DNS resolver, web proxy and firewall.']),
    '',
    'Investigation',
    '- Collect endpoint telemetry from the host: process starts, script execution, mail client data and files written around the incident.',
    '- Search other hosts for contact with the same indicators in the same period.',
    '',
    'Eradication and recovery',
    '- Remove persistence and malicious files once endpoint evidence identifies them.',
    '- Reset any credentials that may have been exposed.',
    '',
    'Hardening',
    '- Restrict outbound SMTP from workstations to the sanctioned mail relays.',
    '- Deploy the detection opportunities listed in this report.',
  ].join('\n');
}

function draftScope(facts: ReportFacts): string {
  const files = facts.evidence.map((item) => item.file).join(', ');
  return `The analysis covers the network traffic in ${facts.evidence.length === 1 ? 'one evidence file' : `${facts.evidence.length} evidence files`} (${files}). Hosts, periods and data sources outside that traffic are out of scope.`;
}

function describeDuration(micros: number): string {
  const seconds = micros / 1_000_000;
  if (seconds < 120) return `about ${Math.max(1, Math.round(seconds))} seconds`;
  if (seconds < 7200) return `about ${Math.round(seconds / 60)} minutes`;
  return `about ${Math.round(seconds / 3600)} hours`;
}
