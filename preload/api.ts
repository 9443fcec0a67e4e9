import { z } from 'zod';

/**
 * The contract between the renderer and the main process: every method the renderer may call,
 * as a `domain.verb` channel with a strict input schema (unknown fields are rejected) and a
 * result type. The preload exposes exactly these methods, main validates every argument with
 * the same schemas, and the renderer's `NetcaseApi` type is derived from this object.
 *
 * Every method is async, takes one plain object and returns plain data. Times are integer
 * microseconds since the epoch, UTC. Files are named by tokens that main hands out when the
 * analyst picks a file in a native dialog (`dialogs.choose`), never by paths the renderer
 * makes up. This module may import only zod, because the sandboxed preload bundles it.
 */

// Shared pieces of the schemas.

const micros = z.number().int().nonnegative();
const token = z.string().regex(/^[0-9a-f]{32}$/, 'expected a file token from dialogs.choose');
const timeWindow = { from: micros.optional(), to: micros.optional() };
const localNetworks = z.array(z.string().min(1).max(64)).max(256).optional();
/** Maximum length of an image's base64 text: 64 MiB of text, about 48 MiB of PNG. */
const MAX_IMAGE_BASE64 = 64 * 1024 * 1024;

export const ENTITY_KINDS = ['host', 'domain', 'email', 'url', 'file', 'user_agent'] as const;
export const IOC_TYPES = ['domain', 'ipv4', 'ipv6', 'email', 'url', 'md5', 'sha1', 'sha256', 'user-agent', 'ja3'] as const;
export const VERDICTS = ['malicious', 'suspicious', 'benign', 'unknown'] as const;
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export const NARRATIVE_FIELDS = ['executive-summary', 'recommended-actions', 'scope'] as const;
export const EXPORT_FORMATS = ['csv', 'stix', 'misp'] as const;
export const ENGINES = ['auto', 'zeek', 'tshark'] as const;

/** The purpose of a native dialog. A token is accepted only by methods that take its purpose. */
export const DIALOG_PURPOSES = [
  'open-case-folder',
  'new-case-folder',
  'add-captures',
  'import-logs',
  'save-report',
  'save-markdown',
  'open-report',
  'choose-certificate',
  'save-certificate',
  'open-watchlist',
  'save-ioc-export',
  'save-image',
  'save-case-archive',
  'open-case-archive',
] as const;
export type DialogPurpose = (typeof DIALOG_PURPOSES)[number];

const iocType = z.enum(IOC_TYPES);
const tags = z.array(z.string().min(1).max(100)).max(100);

// Result types. They list what the renderer may rely on; main's values carry these fields
// (the handler layer is type-checked against them) and may carry more.

export type EntityKind = (typeof ENTITY_KINDS)[number];
export type IocType = (typeof IOC_TYPES)[number];
export type Verdict = (typeof VERDICTS)[number];
export type Severity = (typeof SEVERITIES)[number];

/** A file the analyst picked in a native dialog: its token, its name and the full path for display. */
export interface ChosenFile {
  token: string;
  name: string;
  path: string;
}

export interface RecentCase {
  dir: string;
  name: string;
  openedAt: string;
}

/** The case's own record, as stored in case.json. */
export interface CaseRecord {
  id: string;
  name: string;
  analyst: string;
  created: string;
  timeZone: string;
}

export interface CaseSummary extends CaseRecord {
  dir: string;
}

export interface EvidenceItem {
  id: number;
  sha256: string;
  size: number;
  kind: 'capture' | 'zeek-log';
  original_path: string;
  stored_path: string;
  added_at: string;
  added_by: string;
}

export interface CaseInfo {
  dir: string;
  case: CaseRecord;
  evidence: { item: EvidenceItem; status: 'verified' | 'changed' | 'missing'; actualSha256?: string; actualSize?: number }[];
  evidenceOk: boolean;
  imports: number;
  events: { total: number; byLog: { log: string; count: number }[]; first: number | null; last: number | null };
  audit: { ok: boolean; entries: number; firstBad?: { id: number; reason: string } };
}

export interface IntakeResult {
  added: EvidenceItem[];
  skipped: { path: string; reason: string }[];
}

export interface EventRow {
  id: number;
  log: string;
  ts: number | null;
  uid: string | null;
  orig_h: string | null;
  orig_p: number | null;
  resp_h: string | null;
  resp_p: number | null;
  proto: string | null;
  /** The whole Zeek record as JSON text. */
  record: string;
}

export interface GraphNode {
  id: number;
  kind: EntityKind;
  value: string;
  internal?: boolean;
  weight: number;
  bytes: number;
  firstSeen: number | null;
  lastSeen: number | null;
}

export interface GraphEdge {
  id: number;
  kind: string;
  source: number;
  target: number;
  detail: string;
  count: number;
  bytes: number;
  firstSeen: number | null;
  lastSeen: number | null;
}

export interface Graph {
  from: number | null;
  to: number | null;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Edges and nodes left out by maxEdges. `nodes` is null when too many relations match to count their ends. */
  more: { edges: number; nodes: number | null };
}

export interface Timeline {
  from: number | null;
  to: number | null;
  bucketSeconds: number;
  logs: string[];
  total: number;
  buckets: { from: number; to: number; total: number; counts: Record<string, number> }[];
}

export interface Finding {
  id: string;
  rule: string;
  title: string;
  rationale: string;
  severity: Severity;
  technique: string;
  stage?: string;
  first: number | null;
  last: number | null;
  entities: { kind: EntityKind; value: string }[];
  eventIds: number[];
  notes: string[];
  flags: string[];
}

export interface FindingsResult {
  from: number | null;
  to: number | null;
  findings: Finding[];
  stages: { stage: string; first: number | null; last: number | null; findings: string[] }[];
  suggestedIocs: { kind: EntityKind; value: string; findings: string[] }[];
}

export interface IocRecord {
  id: number;
  type: IocType;
  value: string;
  verdict: Verdict;
  confidence: number | null;
  tags: string[];
  note: string;
  analyst: string;
  source: 'analyst' | 'bulk' | 'suggestion';
  createdAt: string;
  updatedAt: string;
}

export interface IocWithSighting extends IocRecord {
  sighting: { events: number; firstSeen: number | null; lastSeen: number | null; logs: Record<string, number>; hosts: string[] };
}

export interface WatchlistImportResult {
  name: string;
  sha256: string;
  format: 'csv' | 'stix';
  entries: number;
  problems: { ref: string; reason: string }[];
  unsupported: { ref: string; reason: string }[];
  matches: { type: IocType; value: string; events: number }[];
}

export interface IocExportResult {
  format: (typeof EXPORT_FORMATS)[number];
  text: string;
  iocs: number;
  out?: string;
}

export interface PdfSignatureReport {
  valid: boolean;
  problems: string[];
  signer?: string;
  signingTime?: string;
  coversWholeFile: boolean;
  certificate?: { subject: string; issuer: string; validFrom: string; validTo: string; sha256Fingerprint: string; selfSigned: boolean };
}

export interface ReportExportResult {
  pdf: string;
  sha256: string;
  sha256File: string;
  bytes: number;
  pages: number;
  markdown?: string;
  signature?: PdfSignatureReport;
}

/** One narrative field of the report as the export would print it now. */
export interface ReportDraft {
  text: string;
  /** `analyst` when the analyst saved this text, `draft` when Netcase generated it from the case. */
  source: 'draft' | 'analyst';
}

export interface SavedCertificate {
  path: string;
  subject: string;
  notAfter: string;
  sha256Fingerprint: string;
}

/** Packets of one connection, written as a capture into the case's exports folder. */
export interface PacketsResult {
  path: string;
  packets: number;
  /** The connection and its 5-tuple, as the carve matched them. */
  target: string;
  sha256: string;
  /** True when the operating system opened the file in its handler for captures. */
  opened: boolean;
  /** Reason the file was not opened, when `opened` is false. */
  openError?: string;
}

export interface CaseArchiveExport {
  out: string;
  sha256: string;
  size: number;
  members: number;
  withoutEvidence: boolean;
}

export interface CaseArchiveImport {
  dir: string;
  caseId: string;
  caseName: string;
  archiveSha256: string;
  members: number;
  withoutEvidence: boolean;
  auditEntries: number;
}

export interface ApiError {
  code: string;
  message: string;
  details?: unknown;
}

/** A reply as it crosses IPC; the preload turns a failure into a rejected promise of `ApiError`. */
export type IpcReply<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Bytes of the current file read so far, and its size. */
export interface JobBytes {
  done: number;
  total: number;
}

/** Events on the `jobs.event` channel. Every job ends with exactly one done, failed or cancelled event. */
export type JobEvent =
  | { jobId: string; type: 'progress'; ratio: number | null; message: string; bytes?: JobBytes; records?: number }
  | { jobId: string; type: 'warning'; message: string }
  | { jobId: string; type: 'done'; result: unknown }
  | { jobId: string; type: 'failed'; error: ApiError }
  | { jobId: string; type: 'cancelled' };

/** Commands main sends on `app.command`: menu items and files opened from the operating system. */
export type AppCommand =
  | { command: 'new-case' | 'open-case' | 'add-captures' | 'export-report' | 'find' | 'export-case' | 'import-case' }
  | { command: 'captures-opened'; files: ChosenFile[] };

export const EVENT_CHANNELS = { job: 'jobs.event', command: 'app.command' } as const;

// The methods.

/** One contract entry: the input schema, and the result type carried in a phantom field. */
export interface Method<Input extends z.ZodType, Result> {
  input: Input;
  result?: Result;
}

function method<Result>() {
  return <Input extends z.ZodType>(input: Input): Method<Input, Result> => ({ input });
}

const nothing = z.strictObject({});

const reportExportInput = z.strictObject({
  pdf: token.optional(),
  markdown: token.optional(),
  sign: z.strictObject({ certificate: token, passphrase: z.string().min(1).max(1024) }).optional(),
});

export const CONTRACT = {
  'app.version': method<{ version: string }>()(nothing),

  'dialogs.choose': method<{ files: ChosenFile[] }>()(z.strictObject({ purpose: z.enum(DIALOG_PURPOSES), defaultName: z.string().min(1).max(255).optional() })),

  'cases.listRecent': method<{ cases: RecentCase[] }>()(nothing),
  'cases.create': method<CaseSummary>()(
    z.strictObject({ folder: token, name: z.string().trim().min(1).max(200), analyst: z.string().trim().min(1).max(200).optional() }),
  ),
  'cases.open': method<CaseInfo>()(z.union([z.strictObject({ folder: token }), z.strictObject({ recent: z.string().min(1).max(4096) })])),
  'cases.close': method<{ closed: boolean }>()(nothing),
  // verifyEvidence false: the evidence statuses of the last verification, with no file read.
  'cases.info': method<CaseInfo>()(z.strictObject({ verifyEvidence: z.boolean().optional() })),
  'cases.exportArchive': method<CaseArchiveExport>()(z.strictObject({ out: token, withoutEvidence: z.boolean().optional() })),
  'cases.importArchive': method<CaseArchiveImport>()(z.strictObject({ file: token, to: token })),

  'evidence.add': method<IntakeResult>()(z.strictObject({ files: z.array(token).min(1).max(1000) })),
  'evidence.addDropped': method<IntakeResult>()(z.strictObject({ paths: z.array(z.string().min(1).max(4096)).min(1).max(1000) })),

  'jobs.start': method<{ jobId: string }>()(
    z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('analyze'), engine: z.enum(ENGINES).optional(), timeoutSeconds: z.number().int().positive().max(7 * 24 * 3600).optional() }),
      z.strictObject({ kind: z.literal('import-logs'), files: z.array(token).min(1).max(1000) }),
      // Zeek logs already kept as evidence in the case (added by dialog or drop), by evidence id.
      z.strictObject({ kind: z.literal('import-evidence'), evidence: z.array(z.number().int().positive()).min(1).max(1000) }),
      // The same export as report.export, as a job with progress and cancel; its result is a ReportExportResult.
      z.strictObject({ kind: z.literal('report-export'), report: reportExportInput }),
    ]),
  ),
  'jobs.cancel': method<{ cancelled: boolean }>()(z.strictObject({ jobId: z.string().min(1).max(64) })),

  'events.search': method<{ events: EventRow[]; hasMore: boolean; total: number }>()(
    z.strictObject({
      ...timeWindow,
      log: z.string().min(1).max(64).optional(),
      entity: z.strictObject({ kind: z.enum(ENTITY_KINDS), value: z.string().min(1).max(4096) }).optional(),
      text: z.string().min(1).max(1000).optional(),
      uid: z.string().min(1).max(128).optional(),
      limit: z.number().int().min(1).max(10_000).optional(),
      offset: z.number().int().nonnegative().optional(),
    }),
  ),

  'graph.get': method<Graph>()(
    z.strictObject({
      ...timeWindow,
      minCount: z.number().int().min(1).optional(),
      kinds: z.array(z.enum(ENTITY_KINDS)).min(1).optional(),
      maxEdges: z.number().int().min(1).max(100_000).optional(),
      localNetworks,
    }),
  ),

  'timeline.get': method<Timeline>()(z.strictObject({ ...timeWindow, buckets: z.number().int().min(1).max(2000).optional() })),

  'packets.carve': method<PacketsResult>()(z.strictObject({ uid: z.string().min(1).max(128) })),

  'findings.list': method<FindingsResult>()(z.strictObject({ ...timeWindow, minSeverity: z.enum(SEVERITIES).optional(), localNetworks })),

  'iocs.tag': method<IocRecord>()(
    z.strictObject({
      value: z.string().min(1).max(4096),
      type: iocType.optional(),
      verdict: z.enum(VERDICTS),
      confidence: z.number().int().min(0).max(100).optional(),
      tags: tags.optional(),
      note: z.string().max(10_000).optional(),
    }),
  ),
  'iocs.untag': method<{ removed: IocRecord | null }>()(z.strictObject({ value: z.string().min(1).max(4096), type: iocType.optional(), tags: tags.min(1).optional() })),
  'iocs.acceptSuggestion': method<IocRecord>()(
    z.strictObject({
      value: z.string().min(1).max(4096),
      type: z.union([iocType, z.enum(ENTITY_KINDS)]),
      verdict: z.enum(VERDICTS).optional(),
      confidence: z.number().int().min(0).max(100).optional(),
      tags: tags.optional(),
      note: z.string().max(10_000).optional(),
      findings: z.array(z.string().min(1).max(500)).max(1000).optional(),
    }),
  ),
  'iocs.list': method<{ iocs: IocWithSighting[] }>()(nothing),
  'iocs.import': method<WatchlistImportResult>()(z.strictObject({ file: token })),
  'iocs.export': method<IocExportResult>()(z.strictObject({ format: z.enum(EXPORT_FORMATS), out: token.optional() })),

  'report.drafts': method<{ drafts: Record<(typeof NARRATIVE_FIELDS)[number], ReportDraft> }>()(nothing),
  'report.editDraft': method<{ field: string; saved: boolean }>()(z.strictObject({ field: z.enum(NARRATIVE_FIELDS), text: z.string().max(20_000).nullable() })),
  'report.export': method<ReportExportResult>()(reportExportInput),
  'report.verify': method<PdfSignatureReport>()(z.union([z.strictObject({ file: token }), z.strictObject({ casePath: z.string().min(1).max(4096) })])),

  /** Writes a PNG the renderer drew (the graph) to a file chosen with purpose 'save-image'. */
  'exports.saveImage': method<{ path: string; bytes: number }>()(z.strictObject({ out: token, png: z.base64().min(1).max(MAX_IMAGE_BASE64) })),

  'certificates.choose': method<{ certificate: ChosenFile | null }>()(nothing),
  'certificates.create': method<SavedCertificate>()(
    z.strictObject({
      out: token,
      name: z.string().trim().min(1).max(200),
      email: z.email().max(320).optional(),
      passphrase: z.string().min(8).max(1024),
      days: z.number().int().min(1).max(3650).optional(),
    }),
  ),
} as const;

export type Contract = typeof CONTRACT;
export type Channel = keyof Contract;
export const CHANNELS = Object.keys(CONTRACT) as Channel[];

export type Input<C extends Channel> = z.input<Contract[C]['input']>;
export type ParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type Result<C extends Channel> = NonNullable<Contract[C]['result']>;

type DomainOf<C extends string> = C extends `${infer Domain}.${string}` ? Domain : never;
type VerbOf<C extends string> = C extends `${string}.${infer Verb}` ? Verb : never;
type Domain = DomainOf<Channel>;

type GeneratedApi = {
  [D in Domain]: { [C in Channel as DomainOf<C> extends D ? VerbOf<C> : never]: (input: Input<C>) => Promise<Result<C>> };
};

/**
 * `window.netcase`: the contract's methods grouped by domain, plus the two event
 * subscriptions. Dropped files are passed as `File` objects; the preload turns them into paths.
 */
export type NetcaseApi = Omit<GeneratedApi, 'evidence' | 'jobs' | 'app'> & {
  evidence: Omit<GeneratedApi['evidence'], 'addDropped'> & { addDropped(input: { files: File[] }): Promise<IntakeResult> };
  jobs: GeneratedApi['jobs'] & { onEvent(listener: (event: JobEvent) => void): () => void };
  app: GeneratedApi['app'] & { onCommand(listener: (command: AppCommand) => void): () => void };
};
