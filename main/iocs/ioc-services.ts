import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { withCase, type OpenCase } from '../case/case-folder.js';
import { appendAudit } from '../case/audit.js';
import { NetcaseError, isNetcaseError } from '../errors.js';
import { buildIocExportModel, type IocWithSighting } from './export-model.js';
import { exportCsv } from './export-csv.js';
import { exportMisp } from './export-misp.js';
import { exportStix } from './export-stix.js';
import { tagIoc, untagIoc, type IocRecord, type TagRequest, type UntagRequest } from './ioc-store.js';
import type { EntityKind } from '../analysis/extract.js';
import { iocTypeForEntity, type IocType, type Verdict } from './ioc-values.js';
import { importWatchlist, listWatchlistMatches, type StoredWatchlistMatch, type WatchlistImportResult } from './watchlist.js';

export const EXPORT_FORMATS = ['csv', 'stix', 'misp'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface BulkTagResult {
  tagged: IocRecord[];
  /** Values that were rejected, by line ("line 4") or position in the request list. */
  problems: { ref: string; reason: string }[];
}

/** A detection's suggested indicator, confirmed by the analyst. */
export interface SuggestionAcceptance {
  value: string;
  /** An IOC type, or the entity kind of the suggestion (host, file, user_agent...). */
  type: IocType | EntityKind;
  verdict?: Verdict;
  confidence?: number;
  tags?: string[];
  note?: string;
  /** Ids of the findings that suggested the value, kept in the audit entry. */
  findings?: string[];
}

export interface ExportResult {
  format: ExportFormat;
  text: string;
  iocs: number;
  /** Absolute path of the written file, when one was requested. */
  out?: string;
}

export interface IocServices {
  tagIoc(dir: string, request: TagRequest): Promise<IocRecord>;
  tagIocs(dir: string, requests: TagRequest[]): Promise<BulkTagResult>;
  tagIocsFromFile(dir: string, file: string, defaults: Omit<TagRequest, 'value'>): Promise<BulkTagResult>;
  untagIoc(dir: string, request: UntagRequest): Promise<IocRecord | null>;
  listIocs(dir: string): Promise<IocWithSighting[]>;
  acceptSuggestion(dir: string, acceptance: SuggestionAcceptance): Promise<IocRecord>;
  importWatchlist(dir: string, file: string): Promise<WatchlistImportResult>;
  watchlistMatches(dir: string): Promise<StoredWatchlistMatch[]>;
  exportIocs(dir: string, options: { format: ExportFormat; out?: string }): Promise<ExportResult>;
}

export function createIocServices(tool: string): IocServices {
  const writing = { write: true, tool };
  return {
    tagIoc: (dir, request) => withCase(dir, writing, (opened) => opened.db.transaction(() => tagIoc(opened.db, opened.actor, request))()),

    tagIocs: (dir, requests) =>
      withCase(dir, writing, (opened) =>
        opened.db.transaction(() => tagMany(requests.map((request, index) => ({ ref: `value ${index + 1}`, request })), (request) => tagIoc(opened.db, opened.actor, request, 'bulk')))(),
      ),

    tagIocsFromFile(dir, file, defaults) {
      const requests = readBulkFile(file, defaults);
      const tagOne = (opened: OpenCase) => (request: TagRequest) => tagIoc(opened.db, opened.actor, request, 'bulk', { file: resolve(file) });
      return withCase(dir, writing, (opened) => opened.db.transaction(() => tagMany(requests, tagOne(opened)))());
    },

    untagIoc: (dir, request) => withCase(dir, writing, (opened) => opened.db.transaction(() => untagIoc(opened.db, opened.actor, request))()),

    listIocs: (dir) => withCase(dir, { write: false, tool }, (opened) => buildIocExportModel(opened).iocs),

    // TODO: link the IOC to its findings once findings are stored in the case. Until then the
    // finding ids are kept only in the audit entry.
    acceptSuggestion: (dir, acceptance) =>
      withCase(dir, writing, (opened) =>
        opened.db.transaction(() =>
          tagIoc(
            opened.db,
            opened.actor,
            { value: acceptance.value, type: iocTypeForEntity(acceptance.type, acceptance.value), verdict: acceptance.verdict ?? 'suspicious', confidence: acceptance.confidence, tags: acceptance.tags, note: acceptance.note },
            'suggestion',
            acceptance.findings === undefined ? {} : { findings: acceptance.findings },
          ),
        )(),
      ),

    importWatchlist: (dir, file) => withCase(dir, writing, (opened) => importWatchlist(opened.db, opened.actor, file)),

    watchlistMatches: (dir) => withCase(dir, { write: false, tool }, (opened) => listWatchlistMatches(opened.db)),

    exportIocs: (dir, options) =>
      withCase(dir, writing, (opened) => {
        const model = buildIocExportModel(opened);
        const text = renderExport(options.format, model);
        const out = options.out === undefined ? undefined : resolve(options.out);
        if (out) writeFileAtomically(out, text);
        opened.db.transaction(() =>
          appendAudit(opened.db, opened.actor, 'ioc.export', {
            format: options.format,
            iocs: model.iocs.length,
            sha256: createHash('sha256').update(text).digest('hex'),
            out: out ?? null,
          }),
        )();
        return { format: options.format, text, iocs: model.iocs.length, ...(out ? { out } : {}) };
      }),
  };
}

function renderExport(format: ExportFormat, model: ReturnType<typeof buildIocExportModel>): string {
  switch (format) {
    case 'csv':
      return exportCsv(model);
    case 'stix':
      return exportStix(model);
    case 'misp':
      return exportMisp(model);
  }
}

function tagMany(requests: { ref: string; request: TagRequest }[], tag: (request: TagRequest) => IocRecord): BulkTagResult {
  const result: BulkTagResult = { tagged: [], problems: [] };
  for (const { ref, request } of requests) {
    try {
      result.tagged.push(tag(request));
    } catch (error) {
      if (!isNetcaseError(error) || error.code !== 'INVALID_ARGUMENT') throw error;
      result.problems.push({ ref, reason: error.message });
    }
  }
  return result;
}

/** Reads one value per line, skipping blank lines and lines starting with #. */
function readBulkFile(file: string, defaults: Omit<TagRequest, 'value'>): { ref: string; request: TagRequest }[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NetcaseError('NOT_FOUND', `Value file ${file} not found. Check the path given to --file.`, { cause: error });
    throw new NetcaseError('IO', `Failed to read the value file ${file}: ${(error as Error).message}.`, { cause: error });
  }
  const requests: { ref: string; request: TagRequest }[] = [];
  for (const [index, line] of text.replace(/^\uFEFF/, '').split(/\r?\n/).entries()) {
    const value = line.trim();
    if (value === '' || value.startsWith('#')) continue;
    requests.push({ ref: `line ${index + 1}`, request: { ...defaults, value } });
  }
  if (requests.length === 0) throw new NetcaseError('INPUT_INVALID', `${file} contains no values. Write one value per line; lines starting with # are skipped.`);
  return requests;
}

function writeFileAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.partial`;
  try {
    writeFileSync(temporary, text, { flag: 'w' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new NetcaseError('IO', `Failed to write the export to ${path}: ${(error as Error).message}. Check that the folder exists and is writable.`, { cause: error });
  }
}
