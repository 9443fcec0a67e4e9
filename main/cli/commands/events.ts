import { microsToIso } from '../../time.js';
import { recordWithPath } from '../../store/events.js';
import { EXIT, integerOption, stringOption, timeOption, type Command } from '../command.js';

export const events: Command = {
  path: ['events'],
  usage: 'netcase events DIR [--log NAME] [--from T] [--to T] [--uid UID] [--limit N] [--json]',
  summary: 'List events in time order (T is ISO 8601 UTC, a date, or epoch seconds; --to is exclusive)',
  options: { log: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, uid: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  positionals: 1,
  async run(args, { services, stdout, stderr }) {
    const query = {
      log: stringOption(args, 'log'),
      from: timeOption(args, 'from'),
      to: timeOption(args, 'to'),
      uid: stringOption(args, 'uid'),
      limit: integerOption(args, 'limit'),
    };
    let printed = 0;
    for (const row of services.events(args.positionals[0]!, query)) {
      printed++;
      if (args.values.json) {
        stdout(recordWithPath(row));
      } else {
        const when = row.ts === null ? '-'.padEnd(27) : microsToIso(row.ts);
        const flow = row.orig_h ? `${row.orig_h}:${row.orig_p ?? ''} -> ${row.resp_h ?? ''}:${row.resp_p ?? ''}` : '';
        stdout(`${when}  ${row.log.padEnd(10)} ${(row.uid ?? '-').padEnd(18)} ${flow}`);
      }
    }

    // A log name with no events may be a typo, which an empty listing would hide.
    if (printed === 0 && query.log !== undefined) {
      const info = await services.caseInfo(args.positionals[0]!, { verifyEvidence: false });
      const logs = info.events.byLog.map((entry) => entry.log);
      if (!logs.includes(query.log)) {
        stderr(`The case has no "${query.log}" events. Its logs: ${logs.length > 0 ? logs.join(', ') : 'none yet (import logs or analyze a capture first)'}.`);
      }
    }
    return EXIT.ok;
  },
};

