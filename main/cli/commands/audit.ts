import { EXIT, type Command } from '../command.js';

export const auditVerify: Command = {
  path: ['audit', 'verify'],
  usage: 'netcase audit verify DIR [--json]',
  summary: "Check the case's hash-chained audit log and name the first bad entry",
  options: { json: { type: 'boolean' } },
  positionals: 1,
  async run(args, { services, stdout, stderr }) {
    const result = services.verifyAudit(args.positionals[0]!);
    if (args.values.json) stdout(JSON.stringify(result));
    else if (result.ok) stdout(`Audit log verified: ${result.entries} entries, chain intact.`);
    else stderr(`Audit log BROKEN at entry ${result.firstBad!.id}: ${result.firstBad!.reason}.`);
    return result.ok ? EXIT.ok : EXIT.failed;
  },
};
