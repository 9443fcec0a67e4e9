import { NetcaseError } from '../../errors.js';
import { EXIT, stringOption, timeOption, type Command } from '../command.js';

export const carve: Command = {
  path: ['carve'],
  usage: 'netcase carve DIR (--uid UID | --host IP) [--from T] [--to T] [--evidence ID] --out FILE.pcap [--json]',
  summary: 'Write the packets of a connection or host from the evidence capture into a new capture (T is ISO 8601 UTC or epoch seconds)',
  options: {
    uid: { type: 'string' },
    host: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    evidence: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: 1,
  async run(args, { services, stdout, signal }) {
    const out = stringOption(args, 'out');
    if (out === undefined) throw new NetcaseError('USAGE', 'netcase carve needs --out FILE, the new capture file to write.');
    const result = await services.carve(args.positionals[0]!, {
      uid: stringOption(args, 'uid'),
      host: stringOption(args, 'host'),
      from: timeOption(args, 'from'),
      to: timeOption(args, 'to'),
      evidence: stringOption(args, 'evidence'),
      out,
      signal,
    });
    if (args.values.json) {
      stdout(JSON.stringify(result));
      return EXIT.ok;
    }
    stdout(`Wrote ${result.packets} packet${result.packets === 1 ? '' : 's'} of ${result.target} to ${result.out}`);
    stdout(`  from ${result.evidence.storedPath} (${result.format}, link type ${result.linkTypes.join(', ')})`);
    stdout(`  window ${result.from ?? 'start of capture'} to ${result.to ?? 'end of capture'}`);
    stdout(`  SHA-256 ${result.sha256}`);
    if (result.sourceTruncated) stdout('  Note: the source capture ends in the middle of a packet; that partial packet is not included.');
    return EXIT.ok;
  },
};

