import { resolve } from 'node:path';
import { NetcaseError } from '../../errors.js';
import { microsToIso } from '../../time.js';
import type { CaseInfo } from '../../case/case-info.js';
import { EXIT, stringOption, type Command } from '../command.js';

export const caseCreate: Command = {
  path: ['case', 'create'],
  usage: 'netcase case create DIR --name NAME [--analyst NAME] [--json]',
  summary: 'Create a case folder',
  options: { name: { type: 'string' }, analyst: { type: 'string' }, json: { type: 'boolean' } },
  positionals: 1,
  async run(args, { services, stdout }) {
    const name = stringOption(args, 'name');
    if (name === undefined) throw new NetcaseError('USAGE', 'netcase case create needs --name NAME, the name shown on the case and its reports.');
    const dir = resolve(args.positionals[0]!);
    const meta = services.createCase(dir, { name, analyst: stringOption(args, 'analyst') });
    if (args.values.json) stdout(JSON.stringify({ dir, ...meta }));
    else stdout(`Created case "${meta.name}" (${meta.id}) in ${dir}`);
    return EXIT.ok;
  },
};

export const caseInfo: Command = {
  path: ['case', 'info'],
  usage: 'netcase case info DIR [--json]',
  summary: 'Show a case and re-verify its evidence hashes',
  options: { json: { type: 'boolean' } },
  positionals: 1,
  async run(args, { services, stdout, stderr }) {
    const info = await services.caseInfo(args.positionals[0]!);
    if (args.values.json) stdout(JSON.stringify(info));
    else stdout(formatCaseInfo(info));

    if (!info.evidenceOk) {
      const bad = info.evidence.filter((check) => check.status !== 'verified');
      for (const check of bad) {
        stderr(`EVIDENCE ${check.status.toUpperCase()}: ${check.item.stored_path} (recorded SHA-256 ${check.item.sha256}${check.actualSha256 ? `, now ${check.actualSha256}` : ''})`);
      }
    }
    if (!info.audit.ok) stderr(`AUDIT LOG BROKEN at entry ${info.audit.firstBad?.id}: ${info.audit.firstBad?.reason}`);
    if (!info.verificationRecorded) {
      const why = info.lock ? `the case is open for writing elsewhere (pid ${info.lock.pid} on ${info.lock.host})` : 'the case could not be opened for writing (open elsewhere, or a read-only folder)';
      stderr(`Note: ${why}; this verification was not added to the audit log.`);
    }
    return info.evidenceOk && info.audit.ok ? EXIT.ok : EXIT.failed;
  },
};

function formatCaseInfo(info: CaseInfo): string {
  const lines = [
    `Case:      ${info.case.name}`,
    `Id:        ${info.case.id}`,
    `Analyst:   ${info.case.analyst}`,
    `Created:   ${info.case.created} (time zone ${info.case.timeZone})`,
    `Folder:    ${info.dir}`,
    '',
    `Evidence (${info.evidence.length}):`,
  ];
  for (const check of info.evidence) {
    lines.push(`  [${check.status}] ${check.item.stored_path}  ${check.item.kind}  ${check.item.size} bytes  SHA-256 ${check.item.sha256}`);
  }
  lines.push('', `Imported log files: ${info.imports}`, `Events: ${info.events.total}`);
  if (info.events.first !== null && info.events.last !== null) {
    lines.push(`Time range: ${microsToIso(info.events.first)} to ${microsToIso(info.events.last)}`);
  }
  for (const entry of info.events.byLog) lines.push(`  ${entry.log.padEnd(16)} ${entry.count}`);
  lines.push('', `Audit log: ${info.audit.entries} entries, chain ${info.audit.ok ? 'verified' : `BROKEN at entry ${info.audit.firstBad?.id}`}`);
  return lines.join('\n');
}

export const caseExport: Command = {
  path: ['case', 'export'],
  usage: 'netcase case export DIR --out FILE.netcase [--without-evidence] [--json]',
  summary: 'Write the case as one portable archive with SHA-256 hashes of every member',
  options: { out: { type: 'string' }, 'without-evidence': { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: 1,
  async run(args, { services, stdout }) {
    const out = stringOption(args, 'out');
    if (out === undefined) throw new NetcaseError('USAGE', 'netcase case export needs --out FILE, the archive to write.');
    const result = await services.exportCase(args.positionals[0]!, { out, withoutEvidence: args.values['without-evidence'] === true });
    if (args.values.json) stdout(JSON.stringify(result));
    else stdout(`Exported ${result.members} members${result.withoutEvidence ? ' (evidence left out, hashes kept)' : ''} to ${result.out} (${result.size} bytes, SHA-256 ${result.sha256})`);
    return EXIT.ok;
  },
};

export const caseImport: Command = {
  path: ['case', 'import'],
  usage: 'netcase case import FILE --to DIR [--json]',
  summary: 'Verify a portable case archive and unpack it into a new case folder',
  options: { to: { type: 'string' }, json: { type: 'boolean' } },
  positionals: 1,
  async run(args, { services, stdout }) {
    const to = stringOption(args, 'to');
    if (to === undefined) throw new NetcaseError('USAGE', 'netcase case import needs --to DIR, the new case folder.');
    const result = await services.importCase(args.positionals[0]!, { to });
    if (args.values.json) stdout(JSON.stringify(result));
    else stdout(`Imported case "${result.caseName}" (${result.caseId}) into ${result.dir}: ${result.members} members verified, audit chain of ${result.auditEntries} entries verified${result.withoutEvidence ? '; the archive holds no evidence files' : ''}`);
    return EXIT.ok;
  },
};
