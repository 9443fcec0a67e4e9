import { NetcaseError } from '../../errors.js';
import { readPassphrase } from '../passphrase.js';
import { EXIT, integerOption, stringOption, type Command } from '../command.js';

export const certCreate: Command = {
  path: ['cert', 'create'],
  usage: 'netcase cert create --out FILE.p12 --name NAME [--email ADDRESS] [--days N] [--json]',
  summary: 'Create a self-signed analyst certificate (PKCS#12) for signing reports',
  options: { out: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' }, days: { type: 'string' }, json: { type: 'boolean' } },
  positionals: 0,
  async run(args, { services, stdout }) {
    const out = stringOption(args, 'out');
    const name = stringOption(args, 'name');
    if (out === undefined || name === undefined) throw new NetcaseError('USAGE', `netcase cert create needs --out FILE.p12 and --name NAME (the signer name shown in reports).\nUsage: ${this.usage}`);
    const passphrase = await readPassphrase(`New passphrase for ${out}: `, { confirm: true });
    const saved = services.createCertificate(out, { name, email: stringOption(args, 'email'), days: integerOption(args, 'days'), passphrase });
    if (args.values.json) stdout(JSON.stringify(saved));
    else stdout(`Certificate for ${saved.subject} written to ${saved.path}, valid until ${saved.notAfter}.\nSHA-256 fingerprint ${saved.sha256Fingerprint}\nGive this fingerprint to report readers so they can check the signer.`);
    return EXIT.ok;
  },
};
