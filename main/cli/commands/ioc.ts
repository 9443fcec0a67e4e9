import { countText } from '../count-text.js';
import { NetcaseError } from '../../errors.js';
import { microsToIso } from '../../time.js';
import type { IocWithSighting } from '../../iocs/export-model.js';
import type { BulkTagResult } from '../../iocs/ioc-services.js';
import { EXPORT_FORMATS, type ExportFormat } from '../../iocs/ioc-services.js';
import type { TagRequest } from '../../iocs/ioc-store.js';
import { IOC_TYPES, VERDICTS, isIocType, isVerdict, type IocType } from '../../iocs/ioc-values.js';
import { EXIT, integerOption, stringOption, type Command, type ParsedArgs } from '../command.js';

export const iocTag: Command = {
  path: ['ioc', 'tag'],
  usage: 'netcase ioc tag DIR (VALUE | --file FILE) --verdict V [--type T] [--tags a,b] [--note TEXT] [--confidence 0-100] [--json]',
  summary: 'Tag an indicator (or one per line of FILE) with a verdict, tags and a note',
  options: {
    verdict: { type: 'string' },
    type: { type: 'string' },
    tags: { type: 'string' },
    note: { type: 'string' },
    confidence: { type: 'string' },
    file: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: [1],
  async run(args, { services, stdout, stderr }) {
    const [dir, value, ...extra] = args.positionals as [string, string | undefined, ...string[]];
    const file = stringOption(args, 'file');
    if (extra.length > 0) throw usage(`expects DIR and one VALUE, got ${args.positionals.length} arguments. Quote values that contain spaces.`, this.usage);
    if ((value === undefined) === (file === undefined)) throw usage('give either one VALUE or --file FILE.', this.usage);
    const verdictText = stringOption(args, 'verdict');
    if (verdictText === undefined) throw usage(`--verdict is required (one of ${VERDICTS.join(', ')}).`, this.usage);
    if (!isVerdict(verdictText)) throw usage(`--verdict must be one of ${VERDICTS.join(', ')}, got "${verdictText}".`, this.usage);
    const defaults: Omit<TagRequest, 'value'> = {
      verdict: verdictText,
      type: typeOption(args, this.usage),
      tags: listOption(args, 'tags'),
      note: stringOption(args, 'note'),
      confidence: integerOption(args, 'confidence'),
    };

    if (file !== undefined) {
      const result = await services.tagIocsFromFile(dir, file, defaults);
      printBulkResult(result, Boolean(args.values.json), stdout, stderr);
      return result.problems.length > 0 ? EXIT.partial : EXIT.ok;
    }
    const record = await services.tagIoc(dir, { ...defaults, value: value! });
    if (args.values.json) stdout(JSON.stringify(record));
    else stdout(`Tagged ${record.type} ${record.value} as ${record.verdict}${record.tags.length ? ` [${record.tags.join(', ')}]` : ''}.`);
    return EXIT.ok;
  },
};

export const iocUntag: Command = {
  path: ['ioc', 'untag'],
  usage: 'netcase ioc untag DIR VALUE [--type T] [--tags a,b]',
  summary: 'Remove tags from an indicator, or the indicator itself when no --tags are given',
  options: { type: { type: 'string' }, tags: { type: 'string' } },
  positionals: 2,
  async run(args, { services, stdout }) {
    const [dir, value] = args.positionals as [string, string];
    const tags = listOption(args, 'tags');
    const record = await services.untagIoc(dir, { value, type: typeOption(args, this.usage), tags });
    if (record) stdout(`Removed tags ${tags!.join(', ')} from ${record.type} ${record.value}; remaining: ${record.tags.join(', ') || '(none)'}.`);
    else stdout(`Removed ${value} from the case's indicators.`);
    return EXIT.ok;
  },
};

export const iocAccept: Command = {
  path: ['ioc', 'accept'],
  usage: 'netcase ioc accept DIR VALUE --type T [--finding ID]... [--verdict V] [--tags a,b] [--note TEXT]',
  summary: 'Confirm an indicator that a finding suggested (verdict suspicious unless given)',
  options: {
    type: { type: 'string' },
    finding: { type: 'string', multiple: true },
    verdict: { type: 'string' },
    tags: { type: 'string' },
    note: { type: 'string' },
    confidence: { type: 'string' },
  },
  positionals: 2,
  async run(args, { services, stdout }) {
    const [dir, value] = args.positionals as [string, string];
    const type = stringOption(args, 'type');
    if (type === undefined) throw usage('--type is required: an indicator type or the entity kind of the suggestion (host, file, user_agent...).', this.usage);
    const verdict = stringOption(args, 'verdict');
    if (verdict !== undefined && !isVerdict(verdict)) throw usage(`--verdict must be one of ${VERDICTS.join(', ')}, got "${verdict}".`, this.usage);
    const findings = args.values.finding as string[] | undefined;
    const record = await services.acceptSuggestion(dir, {
      value,
      type: type as IocType,
      verdict,
      findings,
      tags: listOption(args, 'tags'),
      note: stringOption(args, 'note'),
      confidence: integerOption(args, 'confidence'),
    });
    stdout(`Accepted ${record.type} ${record.value} as ${record.verdict}${findings?.length ? ` from ${findings.join(', ')}` : ''}.`);
    return EXIT.ok;
  },
};

export const iocList: Command = {
  path: ['ioc', 'list'],
  usage: 'netcase ioc list DIR [--json]',
  summary: 'List tagged indicators with where the case saw them (events, first/last time, hosts)',
  options: { json: { type: 'boolean' } },
  positionals: 1,
  async run(args, { services, stdout }) {
    const iocs = await services.listIocs(args.positionals[0]!);
    if (args.values.json) {
      stdout(JSON.stringify(iocs));
      return EXIT.ok;
    }
    if (iocs.length === 0) {
      stdout('No indicators tagged yet. Tag one with "netcase ioc tag DIR VALUE --verdict malicious".');
      return EXIT.ok;
    }
    for (const ioc of iocs) stdout(formatIoc(ioc));
    return EXIT.ok;
  },
};

export const iocImport: Command = {
  path: ['ioc', 'import'],
  usage: 'netcase ioc import DIR FILE [--json]',
  summary: 'Import a watchlist (CSV or STIX 2.1 bundle) and flag every matching event',
  options: { json: { type: 'boolean' } },
  positionals: 2,
  async run(args, { services, stdout, stderr }) {
    const [dir, file] = args.positionals as [string, string];
    const result = await services.importWatchlist(dir, file);
    const rejected = [...result.problems, ...result.unsupported];
    if (args.values.json) {
      stdout(JSON.stringify(result));
    } else {
      stdout(`Imported ${countText(result.entries, 'watchlist entry', 'watchlist entries')} from ${result.name} (${result.format}); ${result.matches.length} of them match events in the case.`);
      for (const match of result.matches) {
        stdout(`  MATCH ${match.type} ${match.value}: ${countText(match.events, 'event')}, ${formatRange(match.firstSeen, match.lastSeen)}${match.label ? ` (${match.label})` : ''}`);
      }
      for (const problem of result.problems) stderr(`  rejected ${problem.ref}: ${problem.reason}`);
      for (const problem of result.unsupported) stderr(`  unsupported ${problem.ref}: ${problem.reason}`);
    }
    return rejected.length > 0 ? EXIT.partial : EXIT.ok;
  },
};

export const iocMatches: Command = {
  path: ['ioc', 'matches'],
  usage: 'netcase ioc matches DIR [--json]',
  summary: 'List watchlist entries that match events in the case',
  options: { json: { type: 'boolean' } },
  positionals: 1,
  async run(args, { services, stdout }) {
    const matches = await services.watchlistMatches(args.positionals[0]!);
    if (args.values.json) {
      stdout(JSON.stringify(matches));
      return EXIT.ok;
    }
    if (matches.length === 0) stdout('No watchlist entry matches an event. Import a watchlist with "netcase ioc import DIR FILE".');
    for (const match of matches) {
      stdout(`${match.watchlist} ${match.ref}: ${match.type} ${match.value}, ${countText(match.events, 'event')}, ${formatRange(match.firstSeen, match.lastSeen)}${match.label ? ` (${match.label})` : ''}`);
    }
    return EXIT.ok;
  },
};

export const iocExport: Command = {
  path: ['ioc', 'export'],
  usage: `netcase ioc export DIR --format ${EXPORT_FORMATS.join('|')} [--out FILE]`,
  summary: 'Export tagged indicators as CSV, a STIX 2.1 bundle or a MISP event (to stdout or FILE)',
  options: { format: { type: 'string' }, out: { type: 'string' } },
  positionals: 1,
  async run(args, { services, stdout }) {
    const format = stringOption(args, 'format');
    if (format === undefined || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw usage(`--format must be one of ${EXPORT_FORMATS.join(', ')}${format === undefined ? '' : `, got "${format}"`}.`, this.usage);
    }
    const result = await services.exportIocs(args.positionals[0]!, { format: format as ExportFormat, out: stringOption(args, 'out') });
    if (result.out) stdout(`Wrote ${countText(result.iocs, 'indicator')} as ${result.format} to ${result.out}.`);
    // The document already ends with a line break, which stdout() adds back.
    else stdout(result.text.replace(/\n$/, ''));
    return EXIT.ok;
  },
};

export const IOC_COMMANDS: Command[] = [iocTag, iocUntag, iocAccept, iocList, iocImport, iocMatches, iocExport];

function formatIoc(ioc: IocWithSighting): string {
  const seen = ioc.sighting.events === 0 ? 'not seen in the events' : `${countText(ioc.sighting.events, 'event')}, ${formatRange(ioc.sighting.firstSeen, ioc.sighting.lastSeen)}, hosts ${ioc.sighting.hosts.join(' ') || '-'}`;
  const tags = ioc.tags.length > 0 ? ` [${ioc.tags.join(', ')}]` : '';
  const confidence = ioc.confidence === null ? '' : ` (confidence ${ioc.confidence})`;
  return `${ioc.verdict.padEnd(10)} ${ioc.type.padEnd(10)} ${ioc.value}${tags}${confidence}: ${seen}${ioc.note ? `\n           note: ${ioc.note}` : ''}`;
}

function formatRange(first: number | null, last: number | null): string {
  return first === null || last === null ? 'no timestamps' : `${microsToIso(first)} to ${microsToIso(last)}`;
}

function printBulkResult(result: BulkTagResult, json: boolean, stdout: (text: string) => void, stderr: (text: string) => void): void {
  if (json) {
    stdout(JSON.stringify(result));
    return;
  }
  stdout(`Tagged ${countText(result.tagged.length, 'indicator')}.`);
  for (const problem of result.problems) stderr(`  rejected ${problem.ref}: ${problem.reason}`);
}

function typeOption(args: ParsedArgs, usageText: string): IocType | undefined {
  const type = stringOption(args, 'type');
  if (type === undefined) return undefined;
  if (!isIocType(type)) throw usage(`--type must be one of ${IOC_TYPES.join(', ')}, got "${type}".`, usageText);
  return type;
}

function listOption(args: ParsedArgs, name: string): string[] | undefined {
  const text = stringOption(args, name);
  return text === undefined ? undefined : text.split(',').map((item) => item.trim());
}

function usage(message: string, usageText: string): NetcaseError {
  return new NetcaseError('USAGE', `${message}\nUsage: ${usageText}`);
}
