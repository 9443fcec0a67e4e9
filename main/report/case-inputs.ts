import { domainToUnicode } from 'node:url';
import type { OpenCase } from '../case/case-folder.js';
import type { EngineName } from '../engines/engine.js';
import { listEngineRuns } from '../engines/engine-runs.js';
import { buildIocExportModel } from '../iocs/export-model.js';
import type { IocType as TaggedIocType } from '../iocs/ioc-values.js';
import type { IocType, ReportEngine, ReportInputs, ReportIoc } from './report-model.js';

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
 * Reads the report inputs the case already stores: the analyst's tagged IOCs with their first
 * sighting, and the engine of the latest finished engine run. `explicit` inputs replace these
 * field by field.
 */
// TODO: findings, stages, key timeline and detections are not stored by the analysis yet. Until
// they are, they come only from `explicit` (`netcase report --inputs FILE.json`).
export function readCaseReportInputs(opened: OpenCase, explicit: ReportInputs = {}): ReportInputs {
  const fromCase: ReportInputs = { iocs: readTaggedIocs(opened), engine: readLatestEngine(opened) };
  const supplied = Object.fromEntries(Object.entries(explicit).filter(([, value]) => value !== undefined));
  return { ...fromCase, ...supplied };
}

function readTaggedIocs(opened: OpenCase): ReportIoc[] {
  return buildIocExportModel(opened).iocs.map((ioc) => {
    const type = REPORT_IOC_TYPES[ioc.type];
    // Tagged domains are stored as punycode. The report shows the Unicode name with the
    // punycode beside it, so both forms can be searched for.
    const unicode = ioc.type === 'domain' ? domainToUnicode(ioc.value) : ioc.value;
    const role = type === 'hash' || type === 'other' ? ioc.type : unicode !== ioc.value && unicode !== '' ? ioc.value : undefined;
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
