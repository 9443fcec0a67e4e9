import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { NetcaseError } from '../errors.js';
import { withCase } from '../case/case-folder.js';
import type { ExportReportResult, ReportProgress } from './export.js';
import { runReportExport } from './run-report-export.js';
import { setReportDraft } from './drafts.js';
import { listMarks, markEvent, unmarkEvent, type ReportMark } from './marks.js';
import type { ReportInputs } from './report-model.js';
import { saveAnalystCertificate, type CreateCertificateOptions, type SavedCertificate } from './signing/identity.js';
import { verifyPdfSignature, type PdfSignatureReport } from './signing/verify-pdf.js';

export interface ReportExportRequest {
  out: string;
  markdown?: string;
  /** PKCS#12 file to sign with, and its passphrase. */
  sign?: { p12Path: string; passphrase: string };
  inputs?: ReportInputs;
  onProgress?: ReportProgress;
  /** Stops the export before it writes any file; see ReportRunOptions. */
  signal?: AbortSignal;
}

/** Report operations, shared by the CLI, IPC and tests like the rest of `Services`. */
export interface ReportServices {
  exportReport(dir: string, request: ReportExportRequest): Promise<ExportReportResult>;
  /** Stores the analyst's text for a narrative field, or with null returns it to the generated draft. */
  editReport(dir: string, field: string, text: string | null): Promise<void>;
  /** Marks an event for the report's key timeline, with an optional note. */
  markEvent(dir: string, eventId: number, note?: string): Promise<ReportMark>;
  /** Removes a timeline mark; false when the event was not marked. */
  unmarkEvent(dir: string, eventId: number): Promise<boolean>;
  listMarks(dir: string): Promise<ReportMark[]>;
  createCertificate(out: string, options: CreateCertificateOptions): SavedCertificate;
  verifyReport(pdfPath: string): PdfSignatureReport;
}

export function createReportServices(tool: string): ReportServices {
  return {
    exportReport: (dir, request) =>
      withCase(dir, { write: true, tool }, (opened) =>
        runReportExport(
          opened,
          {
            out: request.out,
            markdown: request.markdown,
            inputs: request.inputs,
            sign: request.sign ? { p12Path: request.sign.p12Path, p12: readInputFile(request.sign.p12Path, '--sign'), passphrase: request.sign.passphrase } : undefined,
          },
          { onProgress: request.onProgress, signal: request.signal },
        ),
      ),

    editReport: (dir, field, text) => withCase(dir, { write: true, tool }, (opened) => setReportDraft(opened, field, text)),

    markEvent: (dir, eventId, note) => withCase(dir, { write: true, tool }, (opened) => markEvent(opened, eventId, note)),

    unmarkEvent: (dir, eventId) => withCase(dir, { write: true, tool }, (opened) => unmarkEvent(opened, eventId)),

    listMarks: (dir) => withCase(dir, { write: false, tool }, (opened) => listMarks(opened)),

    createCertificate: (out, options) => saveAnalystCertificate(out, options),

    verifyReport: (pdfPath) => verifyPdfSignature(readInputFile(pdfPath, 'the PDF')),
  };
}

function readInputFile(path: string, what: string): Buffer {
  try {
    return readFileSync(resolve(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NetcaseError('NOT_FOUND', `File ${path} for ${what} not found. Check the path.`, { cause: error });
    throw new NetcaseError('IO', `Cannot read ${path} for ${what}: ${(error as Error).message}.`, { cause: error });
  }
}
