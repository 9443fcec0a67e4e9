import { basename } from 'node:path';
import { NetcaseError } from '../errors.js';
import type { OpenCase } from '../case/case-folder.js';
import { listAudit, verifyAudit, type AuditVerification } from '../case/audit.js';
import { verifyEvidence, type EvidenceStatus } from '../case/evidence.js';
import type { EngineName } from '../engines/engine.js';
import { countEventsByLog, eventTimeRange, type LogCount } from '../store/events.js';
import { generateDrafts, readDraftOverrides, type NarrativeField } from './drafts.js';

/**
 * The report as plain JSON. The PDF and the Markdown export are both drawn from it, so the two
 * always carry the same facts. All timestamps are microseconds since the epoch, UTC.
 */
export interface ReportModel {
  format: 'netcase-report';
  version: 1;
  generatedAt: string;
  case: { id: string; name: string; analyst: string; created: string; timeZone: string };
  timeRange: { first: number | null; last: number | null };
  engine: ReportEngine | null;
  evidence: ReportEvidence[];
  events: { total: number; byLog: LogCount[] };
  narrative: Record<NarrativeField, ReportNarrative>;
  stages: ReportStage[];
  findingsByStage: ReportStageFindings[];
  timeline: ReportTimelineEntry[];
  iocs: ReportIocTable[];
  detections: ReportDetection[];
  /** Facts that bound the conclusions, generated from the case so the analyst cannot remove them. */
  limitations: string[];
  audit: { verification: AuditVerification; entries: ReportAuditEntry[] };
}

export type IocType = 'domain' | 'ip' | 'email' | 'url' | 'hash' | 'other';
export type IocVerdict = 'malicious' | 'suspicious' | 'benign' | 'unknown';

/** One incident stage, in the order the stages happened. */
export interface ReportStage {
  id: string;
  title: string;
  summary?: string;
  /** First and last event of the stage, microseconds. */
  start: number | null;
  end: number | null;
  /** Indicator values seen in the stage (domains, addresses, ...), most telling first. */
  indicators: string[];
}

export interface ReportFinding {
  /** The stage the finding belongs to, or null when it fits none. */
  stageId: string | null;
  title: string;
  detail: string;
  /** Detection rule that produced the finding, when one did. */
  ruleId?: string;
  /** MITRE ATT&CK technique ids, e.g. "T1016". */
  attack?: string[];
  /** Events behind the finding (events.id). */
  eventIds: number[];
  firstSeen: number | null;
}

/** One row of the key timeline: a first sighting of an indicator or stage, or an analyst mark. */
export interface ReportTimelineEntry {
  ts: number;
  description: string;
  source: 'indicator' | 'stage' | 'analyst';
  eventId?: number;
}

/** An indicator the analyst tagged. Suggestions the analyst did not confirm never reach the report. */
export interface ReportIoc {
  type: IocType;
  value: string;
  verdict: IocVerdict;
  note: string;
  /** Role or kind shown beside the value: "sender" for an e-mail address, "sha256" for a hash. */
  role?: string;
  firstSeen: number | null;
}

export interface ReportEngine {
  name: EngineName;
  /** Version text of the program, e.g. "tshark 4.0.17". */
  version: string;
  /** True when packets with bad checksums were analysed too (Zeek's -C). */
  allowBadChecksums: boolean;
  commandLine?: string[];
}

/** A detection rule that fired, written up as a detection others can deploy. */
export interface ReportDetection {
  ruleId: string;
  title: string;
  description: string;
  attack?: string[];
}

/** The analysis results the report takes from outside the case tables it reads itself. */
export interface ReportInputs {
  findings?: ReportFinding[];
  stages?: ReportStage[];
  /** Key timeline. When absent, it is made of each indicator's and each stage's first sighting. */
  timeline?: ReportTimelineEntry[];
  /** Events the analyst marked; added to the derived timeline, ignored when `timeline` is given. */
  marks?: ReportTimelineEntry[];
  iocs?: ReportIoc[];
  detections?: ReportDetection[];
  /** The engine that turned the capture into logs, or null when Zeek logs were imported directly. */
  engine?: ReportEngine | null;
}

export interface ReportEvidence {
  file: string;
  storedPath: string;
  kind: string;
  size: number;
  sha256: string;
  status: EvidenceStatus;
  /** SHA-256 found at report time when it differs from the one recorded at intake. */
  actualSha256?: string;
}

export interface ReportNarrative {
  text: string;
  /** `analyst` when the text was written with `netcase report edit`, `draft` when generated. */
  source: 'draft' | 'analyst';
}

export interface ReportStageFindings {
  stage: ReportStage | null;
  findings: ReportFinding[];
}

export interface ReportIocTable {
  type: IocType;
  title: string;
  entries: ReportIoc[];
}

export interface ReportAuditEntry {
  id: number;
  ts: string;
  actor: string;
  action: string;
  details: string;
}

export const IOC_TABLE_TITLES: Record<IocType, string> = {
  domain: 'Domains and hosts',
  ip: 'IP addresses',
  email: 'E-mail addresses',
  url: 'URLs',
  hash: 'File hashes',
  other: 'Other indicators',
};

/**
 * Builds the report model of an open case. Case metadata, evidence (re-verified now), event
 * counts and range, and the audit log come from the case, and analysis results from `inputs`.
 * Narrative fields take the analyst's stored text, else a generated draft.
 */
export async function buildReportModel(opened: OpenCase, inputs: ReportInputs = {}): Promise<ReportModel> {
  const byLog = countEventsByLog(opened.db);
  const total = byLog.reduce((sum, entry) => sum + entry.count, 0);
  if (total === 0) {
    throw new NetcaseError('INPUT_INVALID', `Case "${opened.meta.name}" in ${opened.dir} has no events, so there is nothing to report. Import Zeek logs ("netcase import-logs") or analyse a capture first.`);
  }

  const checks = await verifyEvidence(opened);
  const evidence: ReportEvidence[] = checks.map((check) => ({
    file: basename(check.item.original_path),
    storedPath: check.item.stored_path,
    kind: check.item.kind,
    size: check.item.size,
    sha256: check.item.sha256,
    status: check.status,
    ...(check.actualSha256 && check.actualSha256 !== check.item.sha256 ? { actualSha256: check.actualSha256 } : {}),
  }));

  const stages = [...(inputs.stages ?? [])].sort(compareStages);
  const iocs = inputs.iocs ?? [];
  const engine = inputs.engine ?? null;
  const partial = {
    case: { id: opened.meta.id, name: opened.meta.name, analyst: opened.meta.analyst, created: opened.meta.created, timeZone: opened.meta.timeZone },
    timeRange: eventTimeRange(opened.db),
    engine,
    evidence,
    events: { total, byLog },
    stages,
    findingsByStage: groupFindings(stages, inputs.findings ?? []),
    timeline: [...(inputs.timeline ?? [...deriveTimeline(stages, iocs), ...(inputs.marks ?? [])])].sort((a, b) => a.ts - b.ts),
    iocs: groupIocs(iocs),
    detections: inputs.detections ?? [],
    limitations: describeLimitations(engine, evidence),
  };

  const drafts = generateDrafts(partial);
  const overrides = readDraftOverrides(opened.db);
  const narrative = Object.fromEntries(
    Object.entries(drafts).map(([field, text]) => {
      const override = overrides.get(field as NarrativeField);
      return [field, override === undefined ? { text, source: 'draft' } : { text: override, source: 'analyst' }];
    }),
  ) as Record<NarrativeField, ReportNarrative>;

  const auditEntries = listAudit(opened.db).map(({ id, ts, actor, action, details }) => ({ id, ts, actor, action, details }));
  return {
    format: 'netcase-report',
    version: 1,
    generatedAt: new Date().toISOString(),
    ...partial,
    narrative,
    audit: { verification: verifyAudit(opened.db), entries: auditEntries },
  };
}

/** The model without the narrative and audit, which is what the drafts are generated from. */
export type ReportFacts = Omit<ReportModel, 'format' | 'version' | 'generatedAt' | 'narrative' | 'audit'>;

function compareStages(a: ReportStage, b: ReportStage): number {
  return (a.start ?? Number.MAX_SAFE_INTEGER) - (b.start ?? Number.MAX_SAFE_INTEGER);
}

function groupFindings(stages: ReportStage[], findings: ReportFinding[]): ReportStageFindings[] {
  const groups: ReportStageFindings[] = stages.map((stage) => ({ stage, findings: findings.filter((finding) => finding.stageId === stage.id) }));
  const known = new Set(stages.map((stage) => stage.id));
  const unstaged = findings.filter((finding) => finding.stageId === null || !known.has(finding.stageId));
  if (unstaged.length > 0) groups.push({ stage: null, findings: unstaged });
  return groups.filter((group) => group.findings.length > 0 || group.stage !== null);
}

function groupIocs(iocs: ReportIoc[]): ReportIocTable[] {
  const order = Object.keys(IOC_TABLE_TITLES) as IocType[];
  return order
    .map((type) => ({
      type,
      title: IOC_TABLE_TITLES[type],
      entries: iocs.filter((ioc) => ioc.type === type).sort((a, b) => (a.firstSeen ?? Infinity) - (b.firstSeen ?? Infinity)),
    }))
    .filter((table) => table.entries.length > 0);
}

function deriveTimeline(stages: ReportStage[], iocs: ReportIoc[]): ReportTimelineEntry[] {
  const entries: ReportTimelineEntry[] = [];
  for (const stage of stages) {
    if (stage.start !== null) entries.push({ ts: stage.start, description: `Stage begins: ${stage.title}`, source: 'stage' });
  }
  for (const ioc of iocs) {
    if (ioc.firstSeen !== null) entries.push({ ts: ioc.firstSeen, description: `First sighting of ${ioc.type} ${ioc.value}`, source: 'indicator' });
  }
  return entries;
}

function describeLimitations(engine: ReportEngine | null, evidence: ReportEvidence[]): string[] {
  const lines = [
    'The analysis uses network data only. No endpoint data (processes, files, registry, EDR events) was examined, so conclusions rest on network indicators and their order in time.',
    'TLS hides the content of encrypted sessions. For those sessions only metadata is visible: server name (SNI), certificates, sizes and timing.',
    'Payloads were not reverse engineered.',
  ];
  if (engine) {
    lines.push(`Logs were produced by ${engine.version} (engine "${engine.name}"). ${engine.allowBadChecksums ? 'Packets with bad checksums were analysed too, as captures from checksum-offloading network cards need.' : 'Packets with bad checksums were discarded by the engine.'}`);
  } else {
    lines.push('The events come from Zeek logs imported as they were; Netcase did not run an engine on a capture, so it cannot state which program wrote them or how it treated bad checksums.');
  }
  const bad = evidence.filter((item) => item.status !== 'verified');
  for (const item of bad) {
    lines.push(`Evidence file ${item.file} is ${item.status === 'missing' ? 'missing from the case' : 'changed since intake'} (recorded SHA-256 ${item.sha256}). Findings based on it cannot be re-checked.`);
  }
  return lines;
}
