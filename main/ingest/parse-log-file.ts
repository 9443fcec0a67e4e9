import { AnalysisCollector, FLUSH_EVERY_EVENTS } from '../analysis/analysis-collector.js';
import { readLineBatches, type ReadSummary } from './line-reader.js';
import { createParser } from './log-parser.js';
import { MAX_PROBLEMS_SENT, type ParsedBatch, type ParseWorkerData } from './parse-messages.js';
import { isProblem, type LineResult } from './parsed-record.js';

/**
 * Reads and parses a Zeek log file into batches of event rows, numbering the records from
 * `firstId` in file order, and collects their analysis totals on the way. `summary` is filled
 * in once the last batch has been yielded.
 */
export async function* parseLogBatches(data: ParseWorkerData, summary: Partial<ReadSummary>): AsyncGenerator<ParsedBatch> {
  const parser = createParser(data.format, data.path);
  const collector = new AnalysisCollector();
  let nextId = data.firstId;
  let problemsSent = 0;
  let bytesRead = 0;

  for await (const lines of readLineBatches(data.path, data.limits, summary)) {
    bytesRead = lines.bytesRead;
    const batch: ParsedBatch = { rows: [], skipped: 0, problems: [], bytesRead };
    for (const line of lines.lines) {
      const parsed: LineResult = 'problem' in line ? { line: line.number, reason: line.problem } : parser.parseLine(line.text, line.number);
      if (parsed === null) continue;
      if (isProblem(parsed)) {
        batch.skipped++;
        if (problemsSent++ < MAX_PROBLEMS_SENT) batch.problems.push(parsed);
        continue;
      }
      batch.rows.push([parsed.line, parsed.log, parsed.ts, parsed.uid, parsed.orig_h, parsed.orig_p, parsed.resp_h, parsed.resp_p, parsed.proto, parsed.record]);
      collector.add({ id: nextId++, log: parsed.log, ts: parsed.ts, orig_h: parsed.orig_h, resp_h: parsed.resp_h, fields: parsed.fields });
    }
    if (collector.size >= FLUSH_EVERY_EVENTS) batch.analysis = collector.take();
    yield batch;
  }

  if (collector.size > 0) yield { rows: [], skipped: 0, problems: [], bytesRead, analysis: collector.take() };
}
