import { NetcaseError } from '../../errors.js';
import { microsToIso } from '../../time.js';
import { EXIT, stringOption, type Command, type ParsedArgs } from '../command.js';

export const reportMark: Command = {
  path: ['report', 'mark'],
  usage: 'netcase report mark DIR EVENT_ID [--note TEXT]',
  summary: "Put an event on the report's key timeline (event ids come from netcase search --json)",
  options: { note: { type: 'string' } },
  positionals: 2,
  async run(args, { services, stdout }) {
    const mark = await services.markEvent(args.positionals[0]!, eventIdArgument(args), stringOption(args, 'note'));
    stdout(`Marked ${mark.log} event ${mark.eventId} at ${microsToIso(mark.ts!)} for the key timeline${mark.note ? `: ${mark.note}` : '.'}`);
    return EXIT.ok;
  },
};

export const reportUnmark: Command = {
  path: ['report', 'unmark'],
  usage: 'netcase report unmark DIR EVENT_ID',
  summary: "Take an event off the report's key timeline",
  options: {},
  positionals: 2,
  async run(args, { services, stdout, stderr }) {
    const eventId = eventIdArgument(args);
    if (await services.unmarkEvent(args.positionals[0]!, eventId)) {
      stdout(`Event ${eventId} is no longer on the key timeline.`);
      return EXIT.ok;
    }
    stderr(`Event ${eventId} was not marked; nothing changed.`);
    return EXIT.failed;
  },
};

function eventIdArgument(args: ParsedArgs): number {
  const text = args.positionals[1]!;
  if (!/^[1-9]\d*$/.test(text)) throw new NetcaseError('USAGE', `EVENT_ID must be a positive whole number, got "${text}". Find event ids with "netcase search DIR --json".`);
  return Number(text);
}
