import type { Db } from '../store/database.js';
import { DetectionContext, type Finding } from './detection-context.js';
import { watchlistFindings } from './watchlist-findings.js';
import type { EntityKind } from './extract.js';
import { LocalNetworks } from './networks.js';
import { detectExecutableTransfer, detectFtpUpload, detectHttpFormPost, detectRareTld, detectSmtpSubmission } from './protocol-rules.js';
import { SEVERITIES, STAGE_TITLES, STAGES, type Rule, type RuleSet, type Severity, type Stage } from './rules.js';
import { detectServiceBurst, detectServiceContact, detectServiceNear } from './service-rules.js';
import { checkWindow, type TimeWindow } from './window.js';

export type { Finding } from './detection-context.js';

export interface FindingsOptions extends TimeWindow {
  rules: RuleSet;
  localNetworks?: LocalNetworks;
  /** Leave out findings below this severity. */
  minSeverity?: Severity;
}

/** Findings of one stage of the incident, for the flow diagram and the report. */
export interface IncidentStage {
  stage: Stage;
  title: string;
  first: number | null;
  last: number | null;
  findings: string[];
}

/** An indicator the findings point at. Only a suggestion: the analyst confirms IOCs. */
export interface SuggestedIoc {
  kind: EntityKind;
  value: string;
  /** Ids of the findings that name it. */
  findings: string[];
  severity: Severity;
}

export interface FindingsResult {
  from: number | null;
  to: number | null;
  /** Rule files read, in order. */
  ruleSources: string[];
  findings: Finding[];
  stages: IncidentStage[];
  suggestedIocs: SuggestedIoc[];
}

/** Kinds of entity offered as IOC suggestions; internal hosts never are. */
const IOC_KINDS = new Set<EntityKind>(['host', 'domain', 'email', 'url', 'file']);

/**
 * Runs every enabled rule over the events in the window and groups the findings into
 * incident stages. Findings are computed on request, so they always follow the current
 * rules and window.
 */
export function runDetections(db: Db, options: FindingsOptions): FindingsResult {
  checkWindow(options);
  const networks = options.localNetworks ?? new LocalNetworks();
  const context = new DetectionContext(db, { from: options.from, to: options.to }, networks, options.rules);

  const minimum = SEVERITIES.indexOf(options.minSeverity ?? 'info');
  const ruleFindings = options.rules.rules.filter((rule) => rule.enabled).flatMap((rule) => detect(context, rule));
  const findings = [...ruleFindings, ...watchlistFindings(db, { from: options.from, to: options.to })]
    .filter((finding) => SEVERITIES.indexOf(finding.severity) >= minimum)
    .sort((a, b) => (a.first ?? Number.MAX_SAFE_INTEGER) - (b.first ?? Number.MAX_SAFE_INTEGER) || a.id.localeCompare(b.id));

  return {
    from: options.from ?? null,
    to: options.to ?? null,
    ruleSources: options.rules.sources,
    findings,
    stages: groupStages(findings),
    suggestedIocs: suggestIocs(findings, networks),
  };
}

function detect(context: DetectionContext, rule: Rule): Finding[] {
  switch (rule.type) {
    case 'service-contact':
      return detectServiceContact(context, rule);
    case 'service-burst':
      return detectServiceBurst(context, rule);
    case 'service-near':
      return detectServiceNear(context, rule);
    case 'smtp-submission':
      return detectSmtpSubmission(context, rule);
    case 'ftp-upload':
      return detectFtpUpload(context, rule);
    case 'http-form-post':
      return detectHttpFormPost(context, rule);
    case 'executable-transfer':
      return detectExecutableTransfer(context, rule);
    case 'rare-tld':
      return detectRareTld(context, rule);
  }
}

/** Stages that have findings, ordered by their first time; the usual stage order breaks ties. */
export function groupStages(findings: Finding[]): IncidentStage[] {
  const stages = new Map<Stage, IncidentStage>();
  for (const finding of findings) {
    if (!finding.stage) continue;
    let stage = stages.get(finding.stage);
    if (!stage) stages.set(finding.stage, (stage = { stage: finding.stage, title: STAGE_TITLES[finding.stage], first: null, last: null, findings: [] }));
    stage.findings.push(finding.id);
    if (finding.first !== null && (stage.first === null || finding.first < stage.first)) stage.first = finding.first;
    if (finding.last !== null && (stage.last === null || finding.last > stage.last)) stage.last = finding.last;
  }
  return [...stages.values()].sort(
    (a, b) => (a.first ?? Number.MAX_SAFE_INTEGER) - (b.first ?? Number.MAX_SAFE_INTEGER) || STAGES.indexOf(a.stage) - STAGES.indexOf(b.stage),
  );
}

/** External hosts, domains, emails, URLs and file hashes named by findings of medium severity or above. */
export function suggestIocs(findings: Finding[], networks: LocalNetworks): SuggestedIoc[] {
  const suggestions = new Map<string, SuggestedIoc>();
  for (const finding of findings) {
    if (SEVERITIES.indexOf(finding.severity) < SEVERITIES.indexOf('medium')) continue;
    for (const entity of finding.entities) {
      if (!IOC_KINDS.has(entity.kind) || (entity.kind === 'host' && networks.isInternal(entity.value))) continue;
      const key = `${entity.kind}\u0000${entity.value}`;
      let suggestion = suggestions.get(key);
      if (!suggestion) suggestions.set(key, (suggestion = { kind: entity.kind, value: entity.value, findings: [], severity: finding.severity }));
      suggestion.findings.push(finding.id);
      if (SEVERITIES.indexOf(finding.severity) > SEVERITIES.indexOf(suggestion.severity)) suggestion.severity = finding.severity;
    }
  }
  return [...suggestions.values()].sort((a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) || a.kind.localeCompare(b.kind) || a.value.localeCompare(b.value));
}
