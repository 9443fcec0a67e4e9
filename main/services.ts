import { createCase, openCase, withCase, type CreateCaseOptions, type OpenCase } from './case/case-folder.js';
import type { CaseFile } from './case/case-file.js';
import { describeCase, type CaseInfo, type DescribeOptions } from './case/case-info.js';
import { addEvidence, listEvidence, type EvidenceItem, type IntakeResult } from './case/evidence.js';
import { verifyAudit, type AuditVerification } from './case/audit.js';
import { isNetcaseError } from './errors.js';
import { runImport, type RunImportOptions } from './ingest/run-import.js';
import type { ImportSummary } from './ingest/importer.js';
import { iterateEvents, type EventQuery, type EventRow } from './store/events.js';
import { createIocServices, type IocServices } from './iocs/ioc-services.js';
import { analyzeCase, type AnalyzeOptions, type AnalyzeSummary } from './engines/analyze-case.js';
import { listEngineRuns, type EngineRun } from './engines/engine-runs.js';
import { createTsharkEngine } from './engines/tshark.js';
import { createAnalysisServices, type AnalysisServices } from './analysis/analysis-services.js';
import { createReportServices, type ReportServices } from './report/report-services.js';
import { carvePackets, type CarveRequest, type CarveResult } from './carve/carve.js';
import { exportCase, type ExportOptions, type ExportResult } from './case/portable/export-case.js';
import { importCase, type ImportCaseOptions, type ImportCaseResult } from './case/portable/import-case.js';
import { buildReportModel, type ReportNarrative } from './report/report-model.js';
import { readCaseReportInputs } from './report/case-inputs.js';
import type { NarrativeField } from './report/drafts.js';

/**
 * The operations every front end shares: the CLI, Electron's IPC handlers and the tests call
 * these, never the modules beneath them directly. `tool` names the front end in lock files
 * and audit entries.
 */
export interface Services extends IocServices, ReportServices, AnalysisServices {
  createCase(dir: string, options: CreateCaseOptions): CaseFile;
  caseInfo(dir: string, options?: DescribeOptions): Promise<CaseInfo>;
  addEvidence(dir: string, paths: string[]): Promise<IntakeResult>;
  /** Lists the case's evidence records without rehashing the files. */
  listEvidence(dir: string): Promise<EvidenceItem[]>;
  importLogs(dir: string, paths: string[], options?: RunImportOptions): Promise<ImportSummary>;
  events(dir: string, query: EventQuery): Generator<EventRow>;
  verifyAudit(dir: string): AuditVerification;
  /** Runs a capture engine over every capture not yet analysed and imports its logs. */
  analyze(dir: string, options?: AnalyzeOptions): Promise<AnalyzeSummary>;
  engineRuns(dir: string): EngineRun[];
  /** Writes the packets of a connection uid or a host from the evidence capture into a new capture file. */
  carve(dir: string, request: CarveRequest): Promise<CarveResult>;
  /** Writes the case as one portable archive with a manifest of SHA-256 hashes. */
  exportCase(dir: string, options: ExportOptions): Promise<ExportResult>;
  /** Verifies a portable case archive and unpacks it into a new case folder. */
  importCase(archive: string, options: ImportCaseOptions): Promise<ImportCaseResult>;
  /** Returns each narrative field of the report: the analyst's saved text, else the generated draft. */
  reportNarrative(dir: string): Promise<Record<NarrativeField, ReportNarrative>>;
}

export function createServices(tool = 'netcase'): Services {
  return {
    ...createIocServices(tool),
    ...createReportServices(tool),
    ...createAnalysisServices(tool),

    createCase: (dir, options) => createCase(dir, { ...options, tool }),

    async caseInfo(dir, options = {}) {
      const describe = (opened: OpenCase) => describeCase(opened, options);
      // A summary without verification writes nothing, so it needs no lock.
      if (options.verifyEvidence === false) return withCase(dir, { write: false, tool }, describe);

      // Verification is audited when the case is free. When another process has it open for
      // writing, or the folder is read-only, the hashes are still checked, read-only.
      try {
        return await withCase(dir, { write: true, tool }, describe);
      } catch (error) {
        if (!isNetcaseError(error) || (error.code !== 'CASE_LOCKED' && error.code !== 'READ_ONLY')) throw error;
        return withCase(dir, { write: false, tool }, describe);
      }
    },

    addEvidence: (dir, paths) => withCase(dir, { write: true, tool }, (opened) => addEvidence(opened, paths)),

    listEvidence: (dir) => withCase(dir, { write: false, tool }, listEvidence),

    importLogs: (dir, paths, options) => withCase(dir, { write: true, tool }, (opened) => runImport(opened, paths, options)),

    analyze: (dir, options = {}) =>
      withCase(dir, { write: true, tool }, (opened) => analyzeCase(opened, options, () => createTsharkEngine({ executable: options.tsharkPath }))),

    carve: (dir, request) => withCase(dir, { write: true, tool }, (opened) => carvePackets(opened, request)),

    exportCase: (dir, options) => withCase(dir, { write: true, tool }, (opened) => exportCase(opened, { ...options, tool })),

    importCase: (archive, options) => importCase(archive, { tool, ...options }),

    reportNarrative: (dir) => withCase(dir, { write: false, tool }, async (opened) => (await buildReportModel(opened, readCaseReportInputs(opened))).narrative),

    engineRuns: (dir) => {
      const opened = openCase(dir, { write: false, tool });
      try {
        return listEngineRuns(opened.db);
      } finally {
        opened.close();
      }
    },

    *events(dir, query) {
      const opened = openCase(dir, { write: false, tool });
      try {
        yield* iterateEvents(opened.db, query);
      } finally {
        opened.close();
      }
    },

    verifyAudit: (dir) => {
      const opened = openCase(dir, { write: false, tool });
      try {
        return verifyAudit(opened.db);
      } finally {
        opened.close();
      }
    },
  };
}
