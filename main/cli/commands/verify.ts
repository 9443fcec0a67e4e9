import { EXIT, type Command } from '../command.js';

export const verify: Command = {
  path: ['verify'],
  usage: 'netcase verify FILE.pdf [--json]',
  summary: "Check a signed report's embedded signature and show the signer",
  options: { json: { type: 'boolean' } },
  positionals: 1,
  async run(args, { services, stdout, stderr }) {
    const result = services.verifyReport(args.positionals[0]!);
    if (args.values.json) {
      stdout(JSON.stringify(result));
      return result.valid ? EXIT.ok : EXIT.failed;
    }
    if (result.valid) {
      const certificate = result.certificate!;
      stdout(
        [
          `Signature valid: the file is unchanged since it was signed${result.coversWholeFile ? ' and the signature covers the whole file' : ''}.`,
          `Signer:       ${result.signer ?? 'unknown'}`,
          `Signed at:    ${result.signingTime ?? 'unknown'}`,
          `Reason:       ${result.reason ?? 'none given'}`,
          `Certificate:  ${certificate.subject}, issued by ${certificate.selfSigned ? 'itself (self-signed)' : certificate.issuer}`,
          `Valid:        ${certificate.validFrom} to ${certificate.validTo}`,
          `SHA-256:      ${certificate.sha256Fingerprint}`,
          'Compare the fingerprint with the one the signer gave you before trusting the name.',
        ].join('\n'),
      );
      return EXIT.ok;
    }
    stderr(`Signature INVALID for ${args.positionals[0]}:`);
    for (const problem of result.problems) stderr(`  - ${problem}`);
    return EXIT.failed;
  },
};
