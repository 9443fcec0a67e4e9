import { createServices } from '../services.js';
import { isNetcaseError, sqliteFailureError } from '../errors.js';
import { log } from '../log.js';
import { EXIT, parseCommandArgs, type Command } from './command.js';
import { caseCreate, caseExport, caseImport, caseInfo } from './commands/case.js';
import { add } from './commands/add.js';
import { importLogsCommand } from './commands/import-logs.js';
import { events } from './commands/events.js';
import { auditVerify } from './commands/audit.js';
import { ANALYSIS_COMMANDS } from './commands/analysis.js';
import { report, reportEdit } from './commands/report.js';
import { reportMark, reportUnmark } from './commands/report-marks.js';
import { certCreate } from './commands/cert.js';
import { verify } from './commands/verify.js';
import { IOC_COMMANDS } from './commands/ioc.js';
import { analyze } from './commands/analyze.js';
import { carve } from './commands/carve.js';

const COMMANDS: Command[] = [caseCreate, caseInfo, caseExport, caseImport, add, importLogsCommand, events, auditVerify, analyze, ...ANALYSIS_COMMANDS, ...IOC_COMMANDS, report, reportEdit, reportMark, reportUnmark, certCreate, verify, carve];

const VERSION = '0.1.0';

/**
 * Runs the `netcase` command. Errors are sorted here into exit codes: usage errors exit 2, other
 * typed errors print their message (no stack unless --debug) and exit 1.
 */
export async function runCli(argv: string[]): Promise<number> {
  // A reader that stops early (`netcase events ... | head`) is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
    throw error;
  });
  const debug = argv.includes('--debug');
  const args = argv.filter((arg) => arg !== '--debug');
  if (debug) log.setLevel('debug');

  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    process.stdout.write(helpText());
    return args.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (args[0] === '--version') {
    process.stdout.write(`netcase ${VERSION}\n`);
    return EXIT.ok;
  }

  const command = findCommand(args);
  if (!command) {
    process.stderr.write(`Unknown command "${args.slice(0, 2).join(' ')}". Run "netcase --help" for the list of commands.\n`);
    return EXIT.usage;
  }
  const rest = args.slice(command.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.summary}\nUsage: ${command.usage}\n`);
    return EXIT.ok;
  }

  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const parsed = parseCommandArgs(command, rest);
    return await command.run(parsed, {
      services: createServices('netcase-cli'),
      stdout: (text) => process.stdout.write(`${text}\n`),
      stderr: (text) => process.stderr.write(`${text}\n`),
      signal: controller.signal,
    });
  } catch (caught) {
    const error: unknown = sqliteFailureError(caught) ?? caught;
    if (isNetcaseError(error)) {
      process.stderr.write(`netcase: ${error.message}\n`);
      if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
      return error.code === 'USAGE' ? EXIT.usage : EXIT.failed;
    }
    process.stderr.write(`netcase: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function findCommand(args: string[]): Command | undefined {
  return COMMANDS.filter((command) => command.path.every((word, i) => args[i] === word)).sort((a, b) => b.path.length - a.path.length)[0];
}

function helpText(): string {
  const lines = COMMANDS.map((command) => `  ${command.usage}\n      ${command.summary}`);
  return `netcase ${VERSION}: offline network forensics workbench\n\nCommands:\n${lines.join('\n')}\n\nAdd --debug to any command for stack traces and debug logs.\nExit codes: 0 done, 1 failed, 2 usage error, 3 done but some inputs were refused.\n`;
}
