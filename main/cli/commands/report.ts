import { readFileSync } from 'node:fs';
import { NetcaseError } from '../../errors.js';
import { NARRATIVE_FIELDS } from '../../report/drafts.js';
import { readReportInputs } from '../../report/report-inputs.js';
import type { ExportReportResult } from '../../report/export.js';
import { readPassphrase } from '../passphrase.js';
import { EXIT, stringOption, type Command } from '../command.js';

export const report: Command = {
  path: ['report'],
  usage: 'netcase report DIR --out FILE.pdf [--sign FILE.p12] [--markdown FILE.md] [--inputs FILE.json] [--json]',
  summary: 'Export the case report as PDF (signed with --sign) and optionally Markdown',
  options: { out: { type: 'string' }, sign: { type: 'string' }, markdown: { type: 'string' }, inputs: { type: 'string' }, json: { type: 'boolean' } },
  positionals: 1,
  async run(args, { services, stdout }) {
    const out = stringOption(args, 'out');
    if (out === undefined) throw new NetcaseError('USAGE', `netcase report needs --out FILE.pdf, the PDF to write.\nUsage: ${this.usage}`);
    const p12Path = stringOption(args, 'sign');
    const inputsPath = stringOption(args, 'inputs');
    const inputs = inputsPath === undefined ? undefined : readReportInputs(inputsPath);
    const sign = p12Path === undefined ? undefined : { p12Path, passphrase: await readPassphrase(`Passphrase for ${p12Path}: `) };

    const result = await services.exportReport(args.positionals[0]!, { out, markdown: stringOption(args, 'markdown'), sign, inputs });
    if (args.values.json) stdout(JSON.stringify(result));
    else stdout(describeExport(result));
    return EXIT.ok;
  },
};

export const reportEdit: Command = {
  path: ['report', 'edit'],
  usage: `netcase report edit DIR --field NAME (--text TEXT | --file FILE | --clear)`,
  summary: `Replace a narrative field of the report (${NARRATIVE_FIELDS.join(', ')}) with your text`,
  options: { field: { type: 'string' }, text: { type: 'string' }, file: { type: 'string' }, clear: { type: 'boolean' } },
  positionals: 1,
  async run(args, { services, stdout }) {
    const field = stringOption(args, 'field');
    if (field === undefined) throw new NetcaseError('USAGE', `netcase report edit needs --field, one of ${NARRATIVE_FIELDS.join(', ')}.\nUsage: ${this.usage}`);
    const text = stringOption(args, 'text');
    const file = stringOption(args, 'file');
    const clear = args.values.clear === true;
    if ([text !== undefined, file !== undefined, clear].filter(Boolean).length !== 1) {
      throw new NetcaseError('USAGE', `Give exactly one of --text, --file or --clear.\nUsage: ${this.usage}`);
    }

    const content = clear ? null : text ?? readTextFile(file!);
    await services.editReport(args.positionals[0]!, field, content);
    stdout(clear ? `Report field "${field}" returned to the generated draft.` : `Report field "${field}" saved (${content!.length} characters).`);
    return EXIT.ok;
  },
};

function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new NetcaseError('NOT_FOUND', `Cannot read the text file ${path}: ${(error as Error).message}.`, { cause: error });
  }
}

function describeExport(result: ExportReportResult): string {
  const lines = [`Report written: ${result.pdf} (${result.pages} pages, ${result.bytes} bytes)`, `SHA-256 ${result.sha256} (also in ${result.sha256File})`];
  if (result.signature) lines.push(`Signed by ${result.signature.signer} at ${result.signature.signingTime}; certificate SHA-256 ${result.signature.certificate?.sha256Fingerprint}`);
  else lines.push('Not signed: add --sign FILE.p12 to sign it.');
  if (result.markdown) lines.push(`Markdown written: ${result.markdown}`);
  return lines.join('\n');
}
