import { EXIT, type Command } from '../command.js';

export const add: Command = {
  path: ['add'],
  usage: 'netcase add DIR FILE... [--json]',
  summary: 'Copy captures and Zeek logs into the case as read-only evidence',
  options: { json: { type: 'boolean' } },
  positionals: [2],
  async run(args, { services, stdout, stderr }) {
    const [dir, ...paths] = args.positionals as [string, ...string[]];
    const result = await services.addEvidence(dir, paths);
    if (args.values.json) {
      stdout(JSON.stringify(result));
    } else {
      for (const item of result.added) stdout(`Added ${item.stored_path} (${item.kind}, ${item.size} bytes, SHA-256 ${item.sha256})`);
      for (const skipped of result.skipped) stderr(`Skipped ${skipped.path}: ${skipped.reason}`);
    }
    if (result.added.length === 0) return EXIT.failed;
    return result.skipped.length > 0 ? EXIT.partial : EXIT.ok;
  },
};
