import { countText } from '../count-text.js';
import type { ImportProgress, ImportSummary } from '../../ingest/importer.js';
import { EXIT, type Command } from '../command.js';

/** Skipped lines printed per file; the import record keeps the first hundred. */
const PROBLEMS_PRINTED = 10;

/** Files named in the line about files that were passed over. */
const PASSED_OVER_PRINTED = 5;

export const importLogsCommand: Command = {
  path: ['import-logs'],
  usage: 'netcase import-logs DIR PATH... [--json] [--json-progress]',
  summary: 'Import Zeek logs (TSV, JSON, gzipped, folders) into the case',
  options: { json: { type: 'boolean' }, 'json-progress': { type: 'boolean' } },
  positionals: [2],
  async run(args, { services, stdout, stderr, signal }) {
    const [dir, ...paths] = args.positionals as [string, ...string[]];
    const jsonProgress = args.values['json-progress'] === true;
    const summary = await services.importLogs(dir, paths, {
      signal,
      progressIntervalMs: jsonProgress ? 250 : 1000,
      onProgress: (progress: ImportProgress) => {
        if (jsonProgress) stdout(JSON.stringify({ type: 'progress', ...progress }));
      },
    });

    if (args.values.json || jsonProgress) stdout(JSON.stringify({ type: 'summary', ...summary }));
    else printSummary(summary, stdout, stderr);

    const refused = summary.files.filter((file) => file.status === 'refused').length;
    if (refused === 0) return EXIT.ok;
    return refused === summary.files.length ? EXIT.failed : EXIT.partial;
  },
};

function printSummary(summary: ImportSummary, stdout: (text: string) => void, stderr: (text: string) => void): void {
  for (const file of summary.files) {
    if (file.status === 'refused') {
      // Most refusals name the file themselves.
      stderr(file.message?.startsWith(file.path) ? `Refused: ${file.message}` : `Refused ${file.path}: ${file.message}`);
      continue;
    }
    if (file.status === 'already-imported') {
      stdout(`Unchanged ${file.path}: ${file.message}`);
      continue;
    }
    stdout(`Imported ${file.path}: ${countText(file.records, 'record')} (${file.logs.join(', ') || 'no records'}, ${file.format})${file.skipped ? `, ${countText(file.skipped, 'line')} skipped` : ''}`);
    for (const problem of file.problems.slice(0, PROBLEMS_PRINTED)) stderr(`  ${file.path}:${problem.line}: ${problem.reason}; line skipped`);
    if (file.skipped > PROBLEMS_PRINTED) stderr(`  … and ${file.skipped - PROBLEMS_PRINTED} more skipped lines in ${file.path}`);
  }
  if (summary.passedOver.length > 0) {
    const named = summary.passedOver.slice(0, PASSED_OVER_PRINTED).join(', ');
    const more = summary.passedOver.length > PASSED_OVER_PRINTED ? `, … and ${summary.passedOver.length - PASSED_OVER_PRINTED} more` : '';
    stdout(`Passed over ${countText(summary.passedOver.length, 'file')} whose names are not Zeek log names (.log, .json, .ndjson, .cut, optionally .gz): ${named}${more}`);
  }
  stdout(`Total: ${countText(summary.records, 'record')} imported, ${countText(summary.skipped, 'line')} skipped`);
}
