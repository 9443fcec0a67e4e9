import { createHash, randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { NetcaseError } from '../errors.js';
import type { OpenCase } from '../case/case-folder.js';
import { appendAudit } from '../case/audit.js';
import { buildReportModel, type ReportInputs } from './report-model.js';
import { readCaseReportInputs } from './case-inputs.js';
import { renderMarkdown } from './markdown.js';
import { renderReportPdf } from './pdf/render-report.js';
import { loadSigningIdentity } from './signing/identity.js';
import { signPdf } from './signing/sign-pdf.js';
import { verifyPdfSignature, type PdfSignatureReport } from './signing/verify-pdf.js';

export interface ExportReportOptions {
  /** Path of the PDF to write. */
  out: string;
  /** Also write the report as Markdown to this path. */
  markdown?: string;
  /** Sign with this PKCS#12 file and passphrase. */
  sign?: { p12Path: string; p12: Buffer; passphrase: string };
  /** Analysis results. Each given field replaces what the case stores (tagged IOCs, engine). */
  inputs?: ReportInputs;
  signingTime?: Date;
}

/** Called as the export moves on: the share done (0 to 1) and what it is doing now. */
export type ReportProgress = (ratio: number, message: string) => void;

export interface ExportReportResult {
  pdf: string;
  sha256: string;
  sha256File: string;
  bytes: number;
  pages: number;
  markdown?: string;
  signature?: PdfSignatureReport;
}

/**
 * Builds the report of an open case, renders it, signs it when asked and writes the PDF, its
 * `.sha256` file and the optional Markdown. Every file is written under a temporary name and
 * renamed, so a failure leaves none half-written. The export is recorded in the audit log with
 * the PDF's SHA-256.
 */
export async function exportReport(opened: OpenCase, options: ExportReportOptions, progress: ReportProgress = () => {}): Promise<ExportReportResult> {
  // 1. Check every output location and the signing identity before any work.
  const pdfPath = resolve(options.out);
  const markdownPath = options.markdown === undefined ? undefined : resolve(options.markdown);
  checkOutputPath(pdfPath, '--out');
  if (markdownPath) checkOutputPath(markdownPath, '--markdown');
  const identity = options.sign ? loadSigningIdentity(options.sign.p12, options.sign.passphrase, options.sign.p12Path) : undefined;

  // 2. Build, render and sign. The ratios are rough shares of the time each step takes.
  progress(0.05, 'Reading the case');
  const model = await buildReportModel(opened, readCaseReportInputs(opened, options.inputs));
  progress(0.3, 'Laying out the PDF');
  const rendered = await renderReportPdf(model, identity ? { signer: identity.name } : {});
  let pdf = rendered.pdf;
  let signature: PdfSignatureReport | undefined;
  if (identity) {
    progress(0.8, `Signing the ${rendered.pages} pages`);
    pdf = await signPdf(pdf, identity, { reason: `Incident report for case ${model.case.id}`, signingTime: options.signingTime });
    signature = verifyPdfSignature(pdf);
    if (!signature.valid) throw new NetcaseError('INTERNAL', `The report was signed but its signature does not verify: ${signature.problems.join('; ')}. Nothing was written.`);
  }

  // 3. Write the files, each through a temporary name.
  progress(0.9, 'Writing the files');
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const sha256File = `${pdfPath}.sha256`;
  const markdown = markdownPath ? renderMarkdown(model) : undefined;
  const written: string[] = [];
  for (const path of [pdfPath, sha256File, markdownPath]) if (path) removeUnfinishedWrites(path);
  try {
    writeAtomically(pdfPath, pdf, written);
    writeAtomically(sha256File, `${sha256}  ${basename(pdfPath)}\n`, written);
    if (markdownPath && markdown !== undefined) writeAtomically(markdownPath, markdown, written);
  } catch (error) {
    for (const path of written) rmSync(path, { force: true });
    throw error;
  }

  // 4. Record the export.
  const markdownSha256 = markdown === undefined ? null : createHash('sha256').update(markdown).digest('hex');
  opened.db.transaction(() =>
    appendAudit(opened.db, opened.actor, 'report.export', {
      pdf: pdfPath,
      sha256,
      bytes: pdf.length,
      signed: identity !== undefined,
      signer: identity?.name ?? null,
      certificate_sha256: signature?.certificate?.sha256Fingerprint ?? null,
      markdown: markdownPath ?? null,
      markdown_sha256: markdownSha256,
    }),
  )();

  return {
    pdf: pdfPath,
    sha256,
    sha256File,
    bytes: pdf.length,
    pages: rendered.pages,
    ...(markdownPath ? { markdown: markdownPath } : {}),
    ...(signature ? { signature } : {}),
  };
}

function checkOutputPath(path: string, option: string): void {
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new NetcaseError('NOT_FOUND', `The folder ${folder} for ${option} does not exist. Create it first or choose another path.`);
  }
  try {
    accessSync(folder, constants.W_OK);
  } catch (error) {
    throw new NetcaseError('IO', `The folder ${folder} for ${option} is not writable. Choose a folder you can write to.`, { cause: error });
  }
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new NetcaseError('INVALID_ARGUMENT', `${option} ${path} is a folder. Give a file name.`);
  }
}

/**
 * Deletes temporary files that an export killed while writing left beside `path`. Exports run
 * with the case open for writing, so no other export of this case can be writing them.
 */
function removeUnfinishedWrites(path: string): void {
  const pattern = new RegExp(`^\\.${escapeRegExp(basename(path))}\\.[0-9a-f]{12}\\.partial$`);
  for (const name of readdirSync(dirname(path))) {
    if (pattern.test(name)) rmSync(join(dirname(path), name), { force: true });
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Writes `content` beside `path` under a temporary name, then renames it into place. */
function writeAtomically(path: string, content: Buffer | string, written: string[]): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    writeFileSync(temporary, content, { flag: 'wx' });
    renameSync(temporary, path);
    written.push(path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new NetcaseError('IO', `Cannot write ${path}: ${(error as Error).message}.`, { cause: error });
  }
}
