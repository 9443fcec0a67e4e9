import { NetcaseError } from '../../errors.js';
import { microsToIso } from '../../time.js';
import { recordWithPath } from '../../store/events.js';
import { ENTITY_KINDS, type EntityKind } from '../../analysis/extract.js';
import { SEVERITIES, type Severity } from '../../analysis/rules.js';
import { EXIT, integerOption, stringOption, timeOption, type Command, type ParsedArgs } from '../command.js';

const WINDOW_OPTIONS = { from: { type: 'string' }, to: { type: 'string' } } as const;
const LOCAL_NET_OPTION = { 'local-net': { type: 'string', multiple: true } } as const;

export const graph: Command = {
  path: ['graph'],
  usage: 'netcase graph DIR [--json] [--from T] [--to T] [--min-count N] [--kinds host,domain,...] [--max-edges N] [--local-net CIDR]...',
  summary: 'Print the entity graph (nodes and weighted edges) for a time window',
  options: { json: { type: 'boolean' }, ...WINDOW_OPTIONS, 'min-count': { type: 'string' }, kinds: { type: 'string' }, 'max-edges': { type: 'string' }, ...LOCAL_NET_OPTION },
  positionals: 1,
  async run(args, { services, stdout }) {
    const result = services.graph(args.positionals[0]!, {
      ...windowOptions(args),
      minCount: integerOption(args, 'min-count'),
      maxEdges: integerOption(args, 'max-edges'),
      kinds: kindsOption(args),
      localNetworks: localNetOption(args),
    });
    if (args.values.json) {
      stdout(JSON.stringify(result));
      return EXIT.ok;
    }
    const names = new Map(result.nodes.map((node) => [node.id, node.value]));
    for (const edge of result.edges) stdout(`${names.get(edge.source)} -${edge.kind}-> ${names.get(edge.target)}${edge.detail ? ` (${edge.detail})` : ''}  count ${edge.count}, ${edge.bytes} bytes`);
    if (result.more.edges > 0) stdout(`… ${result.more.edges} more edges and ${result.more.nodes} more nodes; raise --max-edges or --min-count to see them`);
    return EXIT.ok;
  },
};

export const timeline: Command = {
  path: ['timeline'],
  usage: 'netcase timeline DIR [--json] [--from T] [--to T] [--buckets N]',
  summary: 'Print event counts per time bucket and log type (bucket width chosen from the span)',
  options: { json: { type: 'boolean' }, ...WINDOW_OPTIONS, buckets: { type: 'string' } },
  positionals: 1,
  async run(args, { services, stdout }) {
    const result = services.timeline(args.positionals[0]!, { ...windowOptions(args), buckets: integerOption(args, 'buckets') });
    if (args.values.json) {
      stdout(JSON.stringify(result));
      return EXIT.ok;
    }
    stdout(`${result.total} events, buckets of ${result.bucketSeconds} s`);
    for (const bucket of result.buckets) {
      const parts = Object.entries(bucket.counts).map(([log, count]) => `${log} ${count}`);
      stdout(`${microsToIso(bucket.from)}  ${String(bucket.total).padStart(8)}  ${parts.join(', ')}`);
    }
    return EXIT.ok;
  },
};

export const findings: Command = {
  path: ['findings'],
  usage: 'netcase findings DIR [--json] [--from T] [--to T] [--rules FILE] [--min-severity LEVEL] [--local-net CIDR]...',
  summary: 'Run the detection rules and print findings, incident stages and suggested IOCs',
  options: { json: { type: 'boolean' }, ...WINDOW_OPTIONS, rules: { type: 'string' }, 'min-severity': { type: 'string' }, ...LOCAL_NET_OPTION },
  positionals: 1,
  async run(args, { services, stdout }) {
    const minSeverity = stringOption(args, 'min-severity');
    if (minSeverity !== undefined && !SEVERITIES.includes(minSeverity as Severity)) {
      throw new NetcaseError('USAGE', `--min-severity "${minSeverity}" is not a severity. Use one of ${SEVERITIES.join(', ')}.`);
    }
    const result = services.findings(args.positionals[0]!, {
      ...windowOptions(args),
      rulesFile: stringOption(args, 'rules'),
      minSeverity: minSeverity as Severity | undefined,
      localNetworks: localNetOption(args),
    });
    if (args.values.json) {
      stdout(JSON.stringify(result));
      return EXIT.ok;
    }
    for (const finding of result.findings) {
      const when = finding.first === null ? '-' : microsToIso(finding.first);
      stdout(`[${finding.severity}] ${when}  ${finding.title} (${finding.technique}, ${finding.rule})`);
      stdout(`    ${finding.entities.map((entity) => entity.value).join(', ')}`);
      for (const note of finding.notes) stdout(`    ${note}`);
    }
    if (result.stages.length > 0) stdout(`Stages: ${result.stages.map((stage) => `${stage.title} ${stage.first === null ? '' : microsToIso(stage.first)}`).join(' → ')}`);
    stdout(`${result.findings.length} findings, ${result.suggestedIocs.length} suggested IOCs (suggestions only; confirm them with "netcase ioc")`);
    return EXIT.ok;
  },
};

export const search: Command = {
  path: ['search'],
  usage: 'netcase search DIR [--from T] [--to T] [--log NAME] [--entity KIND:VALUE] [--text WORDS] [--uid UID] [--limit N] [--offset N] [--json]',
  summary: 'Find events by time, log type, entity, free text (word* for prefixes) or connection uid',
  options: {
    json: { type: 'boolean' },
    ...WINDOW_OPTIONS,
    log: { type: 'string' },
    entity: { type: 'string' },
    text: { type: 'string' },
    uid: { type: 'string' },
    limit: { type: 'string' },
    offset: { type: 'string' },
  },
  positionals: 1,
  async run(args, { services, stdout }) {
    const page = services.searchEvents(args.positionals[0]!, {
      ...windowOptions(args),
      log: stringOption(args, 'log'),
      entity: entityOption(args),
      text: stringOption(args, 'text'),
      uid: stringOption(args, 'uid'),
      limit: integerOption(args, 'limit'),
      offset: integerOption(args, 'offset'),
    });
    if (args.values.json) {
      stdout(JSON.stringify({ total: page.total, hasMore: page.hasMore, events: page.events.map((row) => ({ ...row, record: JSON.parse(recordWithPath(row)) as unknown })) }));
      return EXIT.ok;
    }
    for (const row of page.events) {
      const when = row.ts === null ? '-'.padEnd(27) : microsToIso(row.ts);
      const flow = row.orig_h ? `${row.orig_h}:${row.orig_p ?? ''} -> ${row.resp_h ?? ''}:${row.resp_p ?? ''}` : '';
      stdout(`${when}  ${row.log.padEnd(10)} ${(row.uid ?? '-').padEnd(18)} ${flow}`);
    }
    stdout(`${page.total} matching events${page.hasMore ? '; use --offset for the next page' : ''}`);
    return EXIT.ok;
  },
};

export const reindex: Command = {
  path: ['reindex'],
  usage: 'netcase reindex DIR',
  summary: 'Rebuild entities, relations and the full-text index from the imported events',
  options: {},
  positionals: 1,
  async run(args, { services, stdout }) {
    const summary = await services.rebuildAnalysis(args.positionals[0]!);
    stdout(`Indexed ${summary.events} events: ${summary.entities} entities, ${summary.relations} relations`);
    return EXIT.ok;
  },
};

function windowOptions(args: ParsedArgs): { from?: number; to?: number } {
  return { from: timeOption(args, 'from'), to: timeOption(args, 'to') };
}


function kindsOption(args: ParsedArgs): EntityKind[] | undefined {
  const text = stringOption(args, 'kinds');
  if (text === undefined) return undefined;
  const kinds = text.split(',').map((kind) => kind.trim()).filter((kind) => kind !== '');
  for (const kind of kinds) {
    if (!ENTITY_KINDS.includes(kind as EntityKind)) throw new NetcaseError('USAGE', `--kinds: "${kind}" is not an entity kind. Use a comma-separated list of ${ENTITY_KINDS.join(', ')}.`);
  }
  return kinds as EntityKind[];
}

function entityOption(args: ParsedArgs): { kind: EntityKind; value: string } | undefined {
  const text = stringOption(args, 'entity');
  if (text === undefined) return undefined;
  const colon = text.indexOf(':');
  // Indicator tables and the report call addresses "ip", so that word finds hosts too.
  const written = text.slice(0, colon);
  const kind = (written === 'ip' ? 'host' : written) as EntityKind;
  if (colon < 1 || !ENTITY_KINDS.includes(kind) || colon === text.length - 1) {
    throw new NetcaseError('USAGE', `--entity "${text}" is not KIND:VALUE. Use one of ${ENTITY_KINDS.join(', ')} as KIND, e.g. --entity domain:example.com or --entity host:10.0.0.5.`);
  }
  return { kind, value: text.slice(colon + 1) };
}

function localNetOption(args: ParsedArgs): string[] | undefined {
  const value = args.values['local-net'];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : [String(value)]).flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter((entry) => entry !== '');
}

export const networks: Command = {
  path: ['networks'],
  usage: 'netcase networks DIR [--set CIDR]... [--reset] [--json]',
  summary: 'Show or save the local networks that make a host internal in this case',
  options: { set: { type: 'string', multiple: true }, reset: { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: 1,
  async run(args, { services, stdout }) {
    const dir = args.positionals[0]!;
    const set = args.values.set === undefined ? undefined : (args.values.set as string[]).flatMap((entry) => entry.split(',')).map((entry) => entry.trim()).filter((entry) => entry !== '');
    if (set !== undefined && args.values.reset) throw new NetcaseError('USAGE', 'Give either --set CIDR or --reset, not both.');
    if (set !== undefined && set.length === 0) throw new NetcaseError('USAGE', '--set needs at least one network in CIDR form, such as --set 10.0.0.0/8.');

    const result = set !== undefined ? await services.setLocalNetworks(dir, set) : args.values.reset ? await services.setLocalNetworks(dir, null) : services.localNetworks(dir);
    if (args.values.json) stdout(JSON.stringify(result));
    else stdout(`Local networks (${result.saved ? 'saved with the case' : 'defaults'}): ${result.networks.join(', ')}`);
    return EXIT.ok;
  },
};

export const ANALYSIS_COMMANDS: Command[] = [graph, timeline, findings, search, reindex, networks];
