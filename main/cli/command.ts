import { parseArgs, type ParseArgsConfig } from 'node:util';
import { NetcaseError } from '../errors.js';
import { parseTimeArgument } from '../time.js';
import type { Services } from '../services.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  services: Services;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Cancelled on SIGINT/SIGTERM so long jobs stop cleanly. */
  signal: AbortSignal;
}

export interface ParsedArgs {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

/** One `netcase` subcommand. `path` is the words that select it, e.g. ['case', 'create']. */
export interface Command {
  path: string[];
  usage: string;
  summary: string;
  options: OptionSpec;
  /** Exact number of positionals, or a minimum written as [min]. */
  positionals: number | [number];
  run(args: ParsedArgs, context: CommandContext): Promise<number>;
}

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failed: 1, usage: 2, partial: 3 } as const;

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new NetcaseError('USAGE', `${(error as Error).message}\nUsage: ${command.usage}`);
  }
  const count = parsed.positionals.length;
  const expected = command.positionals;
  const ok = Array.isArray(expected) ? count >= expected[0] : count === expected;
  if (!ok) {
    throw new NetcaseError('USAGE', `netcase ${command.path.join(' ')} expects ${Array.isArray(expected) ? `at least ${expected[0]}` : expected} argument(s), got ${count}.\nUsage: ${command.usage}`);
  }
  return { positionals: parsed.positionals, values: parsed.values as ParsedArgs['values'] };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function integerOption(args: ParsedArgs, name: string): number | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new NetcaseError('USAGE', `--${name} must be a whole number, got "${text}".`);
  return Number(text);
}

/** Reads a time option given as ISO 8601 or epoch seconds, in microseconds. */
export function timeOption(args: ParsedArgs, name: string): number | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  const micros = parseTimeArgument(text);
  if (micros === null) throw new NetcaseError('USAGE', `--${name} "${text}" is not a time. Use ISO 8601 (2026-01-09T18:05:00Z or 2026-01-09) or epoch seconds (1767981900).`);
  return micros;
}
