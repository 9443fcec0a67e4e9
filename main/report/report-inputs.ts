import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { NetcaseError, preview } from '../errors.js';
import type { ReportInputs } from './report-model.js';

const micros = z.number().int();
const text = z.string().max(10_000);

/** Schema of a report inputs file: the analysis results `buildReportModel` takes, as JSON. */
export const reportInputsSchema = z.strictObject({
  findings: z.array(z.strictObject({
    stageId: z.string().nullable(),
    title: text,
    detail: text,
    ruleId: z.string().optional(),
    attack: z.array(z.string()).optional(),
    eventIds: z.array(z.number().int()),
    firstSeen: micros.nullable(),
  })).optional(),
  stages: z.array(z.strictObject({
    id: z.string(),
    title: text,
    summary: text.optional(),
    start: micros.nullable(),
    end: micros.nullable(),
    indicators: z.array(z.string()),
  })).optional(),
  timeline: z.array(z.strictObject({
    ts: micros,
    description: text,
    source: z.enum(['indicator', 'stage', 'analyst']),
    eventId: z.number().int().optional(),
  })).optional(),
  iocs: z.array(z.strictObject({
    type: z.enum(['domain', 'ip', 'email', 'url', 'hash', 'other']),
    value: z.string().min(1),
    verdict: z.enum(['malicious', 'suspicious', 'benign', 'unknown']),
    note: text,
    role: z.string().optional(),
    firstSeen: micros.nullable(),
  })).optional(),
  detections: z.array(z.strictObject({
    ruleId: z.string(),
    title: text,
    description: text,
    attack: z.array(z.string()).optional(),
  })).optional(),
  engine: z.strictObject({
    name: z.enum(['zeek', 'tshark']),
    version: z.string(),
    allowBadChecksums: z.boolean(),
    commandLine: z.array(z.string()).optional(),
  }).nullable().optional(),
});

/** Reads and validates a report inputs JSON file. */
export function readReportInputs(path: string): ReportInputs {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new NetcaseError('INPUT_INVALID', `Cannot read the report inputs ${path}: ${(error as Error).message}. Give a JSON file with findings, stages, timeline, iocs, detections and engine.`, { cause: error });
  }
  const parsed = reportInputsSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new NetcaseError('INPUT_INVALID', `The report inputs ${path} are invalid at ${issue.path.join('.') || '(top level)'}: ${preview(issue.message, 200)}.`, { details: parsed.error.issues.slice(0, 10) });
  }
  return parsed.data as ReportInputs;
}
