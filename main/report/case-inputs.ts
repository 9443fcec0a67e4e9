import { domainToUnicode } from 'node:url';
import type { OpenCase } from '../case/case-folder.js';
import type { EngineName } from '../engines/engine.js';
import { listEngineRuns } from '../engines/engine-runs.js';
import { buildIocExportModel } from '../iocs/export-model.js';
import type { IocType as TaggedIocType } from '../iocs/ioc-values.js';
import { runDetections } from '../analysis/findings.js';
import { loadRules } from '../analysis/rules.js';
import type { EntityKind, EntityRef } from '../analysis/extract.js';
import { caseLocalNetworks } from '../analysis/case-networks.js';
import { markTimelineEntries } from './marks.js';
import type { IocType, ReportDetection, ReportEngine, ReportFinding, ReportInputs, ReportIoc, ReportStage } from './report-model.js';

/** Entity kinds listed among a stage's indicators (user agents are left out). */
const INDICATOR_KINDS = new Set<EntityKind>(['domain', 'host', 'email', 'url', 'file']);

const REPORT_IOC_TYPES: Record<TaggedIocType, IocType> = {
  domain: 'domain',
  ipv4: 'ip',
  ipv6: 'ip',
  email: 'email',
  url: 'url',
  md5: 'hash',
  sha1: 'hash',
  sha256: 'hash',
  'user-agent': 'other',
  ja3: 'other',
};

/**
 * Reads the report inputs from the case: the analyst's tagged IOCs with their first sighting,
 * the engine of the latest finished engine run, and the findings of the shipped detection
 * rules grouped into stages, and the events the analyst marked. `explicit` inputs replace these
 * field by field. Without an explicit timeline, the key timeline is each stage's and each tagged
 * indicator's first sighting plus the marked events.
 */
export function readCaseReportInputs(opened: OpenCase, explicit: ReportInputs = {}): ReportInputs {
  const fromCase: ReportInputs = { iocs: readTaggedIocs(opened), engine: readLatestEngine(opened), marks: markTimelineEntries(opened), ...readFindings(opened) };
  const supplied = Object.fromEntries(Object.entries(explicit).filter(([, value]) => value !== undefined));
  return { ...fromCase, ...supplied };
}

function readTaggedIocs(opened: OpenCase): ReportIoc[] {
  return buildIocExportModel(opened).iocs.map((ioc) => {
    const type = REPORT_IOC_TYPES[ioc.type];
    // Tagged domains are stored as punycode. The report shows the Unicode name with the
    // punycode beside it, so both forms can be searched for.
    const unicode = ioc.type === 'domain' ? domainToUnicode(ioc.value) : ioc.value;
    let role: string | undefined;
    if (type === 'hash' || type === 'other') role = ioc.type;
    else if (unicode !== '' && unicode !== ioc.value) role = ioc.value;
    return {
      type,
      value: unicode || ioc.value,
      verdict: ioc.verdict,
      note: ioc.note,
      ...(role ? { role } : {}),
      firstSeen: ioc.sighting.firstSeen,
    };
  });
}

/** Rule id of the findings that watchlist matches become. */
const WATCHLIST_RULE = 'watchlist-match';

/** Runs the shipped detection rules over the whole case and maps the results to report inputs. */
function readFindings(opened: OpenCase): Pick<ReportInputs, 'findings' | 'stages' | 'detections'> {
  const networks = caseLocalNetworks(opened.db);
  const result = runDetections(opened.db, { rules: loadRules(), localNetworks: networks });
  const findings: ReportFinding[] = result.findings.map((finding) => ({
    stageId: finding.stage ?? null,
    title: finding.title,
    detail: [finding.rationale, ...finding.notes].join(' '),
    ruleId: finding.rule,
    attack: finding.technique ? [finding.technique] : [],
    eventIds: finding.eventIds,
    firstSeen: finding.first,
  }));

  // The internal host behind a finding is the victim, not an indicator, so it is left out.
  const isIndicator = (entity: EntityRef): boolean => INDICATOR_KINDS.has(entity.kind) && !(entity.kind === 'host' && networks.isInternal(entity.value));
  const byId = new Map(result.findings.map((finding) => [finding.id, finding]));
  const stages: ReportStage[] = result.stages.map((stage) => {
    const values = stage.findings.flatMap((id) => (byId.get(id)?.entities ?? []).filter(isIndicator).map((entity) => entity.value));
    return { id: stage.stage, title: stage.title, start: stage.first, end: stage.last, indicators: [...new Set(values)] };
  });

  const detections = new Map<string, ReportDetection>();
  for (const finding of result.findings) {
    const detection = detections.get(finding.rule);
    if (!detection) {
      detections.set(finding.rule, { ruleId: finding.rule, title: finding.title, description: finding.rationale, attack: finding.technique ? [finding.technique] : [] });
    } else if (finding.rule === WATCHLIST_RULE) {
      // Each matched watchlist value is a finding of its own, so the detection names them all.
      detection.title = 'Watchlist matches';
      detection.description = `${detection.description} ${finding.rationale}`;
    }
  }
  return { findings, stages, detections: [...detections.values()] };
}

function readLatestEngine(opened: OpenCase): ReportEngine | null {
  const done = listEngineRuns(opened.db).filter((run) => run.status === 'done');
  const latest = done[done.length - 1];
  if (!latest) return null;
  return {
    name: latest.engine as EngineName,
    version: latest.engineVersion,
    allowBadChecksums: latest.options.allowBadChecksums,
    commandLine: latest.commandLine,
  };
}
