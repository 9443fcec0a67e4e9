import pino, { type Logger } from 'pino';

/**
 * One logger for the main process and the CLI. Scopes appear as `scope` in each line
 * (`log.scope('ingest')`). Lines go to stderr at the level in NETCASE_LOG_LEVEL (default
 * `warn`, so the CLI's own output stays readable); `--debug` lowers it to `debug`.
 * Never pass passphrases or credentials seen in traffic to it.
 */
const rootLogger: Logger = pino(
  { level: process.env.NETCASE_LOG_LEVEL ?? 'warn', base: { pid: process.pid } },
  pino.destination({ fd: 2, sync: true }),
);

export type ScopedLogger = Logger;

export const log = {
  scope(name: string): ScopedLogger {
    return rootLogger.child({ scope: name });
  },
  setLevel(level: pino.LevelWithSilent): void {
    rootLogger.level = level;
  },
};
