import { NetcaseError } from '../errors.js';

/** The environment variable that supplies the PKCS#12 passphrase to scripts. */
export const PASSPHRASE_VARIABLE = 'NETCASE_P12_PASSPHRASE';

/**
 * Gets the PKCS#12 passphrase from NETCASE_P12_PASSPHRASE, else by asking on the terminal
 * without echo. It is never taken from the command line, where other users could read it in
 * the process list. With `confirm`, a typed passphrase must be entered twice.
 */
export async function readPassphrase(prompt: string, options: { confirm?: boolean } = {}): Promise<string> {
  const fromEnvironment = process.env[PASSPHRASE_VARIABLE];
  if (fromEnvironment !== undefined) return fromEnvironment;
  if (!process.stdin.isTTY) {
    throw new NetcaseError('USAGE', `No passphrase given. Set ${PASSPHRASE_VARIABLE}, or run the command in a terminal to be asked for it.`);
  }
  const passphrase = await askHidden(prompt);
  if (options.confirm && (await askHidden('Repeat the passphrase: ')) !== passphrase) {
    throw new NetcaseError('INVALID_ARGUMENT', 'The two passphrases differ. Run the command again.');
  }
  return passphrase;
}

function askHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error): void => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new NetcaseError('CANCELLED', 'Cancelled at the passphrase prompt.'));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}
