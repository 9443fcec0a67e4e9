import { microsToIso } from '../../time.js';
import { recordWithPath } from '../../store/events.js';
import { EXIT, integerOption, stringOption, timeOption, type Command } from '../command.js';

export const events: Command = {
  path: ['events'],
  usage: 'netcase events DIR [--log NAME] [--from T] [--to T] [--uid UID] [--limit N] [--json]',
  summary: 'List events in time order (T is ISO 8601 UTC or epoch seconds; --to is exclusive)',
  options: { log: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, uid: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  positionals: 1,
  async run(args, { services, stdout }) {
    const query = {
      log: stringOption(args, 'log'),
      from: timeOption(args, 'from'),
      to: timeOption(args, 'to'),
      uid: stringOption(args, 'uid'),
      limit: integerOption(args, 'limit'),
    };
    for (const row of services.events(args.positionals[0]!, query)) {
      if (args.values.json) {
        stdout(recordWithPath(row));
      } else {
        const when = row.ts === null ? '-'.padEnd(27) : microsToIso(row.ts);
        const flow = row.orig_h ? `${row.orig_h}:${row.orig_p ?? ''} -> ${row.resp_h ?? ''}:${row.resp_p ?? ''}` : '';
        stdout(`${when}  ${row.log.padEnd(10)} ${(row.uid ?? '-').padEnd(18)} ${flow}`);
      }
    }
    return EXIT.ok;
  },
};

