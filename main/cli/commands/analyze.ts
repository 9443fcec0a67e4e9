import { countText } from '../count-text.js';
import { ENGINE_REQUESTS, type EngineRequest } from '../../engines/choose-engine.js';
import type { AnalyzeProgress, AnalyzeSummary, RunOutcome } from '../../engines/analyze-case.js';
import { NetcaseError } from '../../errors.js';
import { EXIT, integerOption, stringOption, type Command } from '../command.js';

/** Minimum time between two human-readable progress lines, in milliseconds. */
const TEXT_PROGRESS_INTERVAL_MS = 1000;

export const analyze: Command = {
  path: ['analyze'],
  usage: 'netcase analyze DIR [--engine auto|zeek|tshark] [--timeout SECONDS] [--reject-bad-checksums] [--json-progress]',
  summary: 'Run Zeek or tshark over the captures not yet analysed and import the logs',
  options: {
    engine: { type: 'string' },
    timeout: { type: 'string' },
    'reject-bad-checksums': { type: 'boolean' },
    'json-progress': { type: 'boolean' },
  },
  positionals: 1,
  async run(args, { services, stdout, stderr, signal }) {
    const [dir] = args.positionals as [string];
    const engine = (stringOption(args, 'engine') ?? 'auto') as EngineRequest;
    if (!ENGINE_REQUESTS.includes(engine)) throw new NetcaseError('USAGE', `--engine must be auto, zeek or tshark, got "${engine}".`);
    const timeoutSeconds = integerOption(args, 'timeout');
    if (timeoutSeconds === 0) throw new NetcaseError('USAGE', '--timeout must be at least 1 second; leave it out for no limit.');
    const json = args.values['json-progress'] === true;
    const emit = (value: object): void => stdout(JSON.stringify(value));

    let lastTextProgress = 0;
    const finishedCaptures = new Set<string>();
    const summary = await services.analyze(dir, {
      engine,
      timeoutSeconds,
      allowBadChecksums: args.values['reject-bad-checksums'] !== true,
      signal,
      progressIntervalMs: json ? 250 : TEXT_PROGRESS_INTERVAL_MS,
      onChoice: (choice) => (json ? emit({ type: 'engine', ...choice }) : stdout(`Engine: ${choice.version}. ${choice.reason}`)),
      onProgress: (progress) => {
        if (json) {
          emit({ type: 'progress', ...progress });
          return;
        }
        // The end of the engine phase is always printed once, so its last line reads 100%.
        const now = Date.now();
        const engineDone = progress.phase === 'engine' && progress.bytesRead >= progress.bytesTotal;
        if (engineDone && finishedCaptures.has(progress.capture)) return;
        if (engineDone) finishedCaptures.add(progress.capture);
        else if (now - lastTextProgress < TEXT_PROGRESS_INTERVAL_MS) return;
        lastTextProgress = now;
        stderr(progressText(progress));
      },
      onRunEnd: (outcome) => (json ? emit({ type: 'run', ...outcome }) : printOutcome(outcome, stdout, stderr)),
    });

    if (json) emit({ type: 'summary', ...summary });
    else printSummary(summary, stdout);

    const failed = summary.runs.filter((run) => run.status === 'failed').length;
    if (failed === 0) return EXIT.ok;
    return failed === summary.runs.length ? EXIT.failed : EXIT.partial;
  },
};

function progressText(progress: AnalyzeProgress): string {
  const percent = progress.bytesTotal > 0 ? Math.floor((100 * progress.bytesRead) / progress.bytesTotal) : 100;
  const what = progress.phase === 'engine' ? 'Analysing' : 'Importing logs of';
  return `${what} ${progress.capture}: ${percent}% (${megabytes(progress.bytesRead)} of ${megabytes(progress.bytesTotal)} MB)`;
}

function printOutcome(outcome: RunOutcome, stdout: (text: string) => void, stderr: (text: string) => void): void {
  if (outcome.status === 'done') stdout(`Analysed ${outcome.capture}: run ${outcome.runId}, ${countText(outcome.records, 'record')} imported from ${countText(outcome.logFiles.length, 'log')}`);
  else stderr(`Failed ${outcome.capture}: run ${outcome.runId}: ${outcome.error}`);
  for (const warning of outcome.warnings) stderr(`  warning: ${warning}`);
}

function printSummary(summary: AnalyzeSummary, stdout: (text: string) => void): void {
  if (summary.cleanedUp.length > 0) stdout(`Removed the leftovers of ${summary.cleanedUp.length} earlier runs that did not finish: ${summary.cleanedUp.join(', ')}`);
  if (summary.runs.length === 0) {
    stdout(summary.alreadyAnalysed > 0 ? `Nothing to analyse: all ${summary.alreadyAnalysed} captures have been analysed.` : 'Nothing to analyse: the case holds no captures. Add one with "netcase add DIR FILE".');
    return;
  }
  const done = summary.runs.filter((run) => run.status === 'done');
  const records = done.reduce((sum, run) => sum + run.records, 0);
  stdout(`Total: ${done.length} of ${summary.runs.length} captures analysed, ${countText(records, 'record')} imported`);
}

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
