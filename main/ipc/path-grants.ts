import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import type { ChosenFile, DialogPurpose } from '../../preload/api.js';
import { NetcaseError, preview } from '../errors.js';

interface Grant {
  path: string;
  purpose: DialogPurpose;
}

/**
 * Files the analyst picked in a native dialog during this session, each behind an opaque
 * random token. The renderer names files only by these tokens, so a compromised renderer
 * cannot make main read or write a path the analyst never chose.
 */
export class PathGrants {
  readonly #grants = new Map<string, Grant>();

  grant(path: string, purpose: DialogPurpose): ChosenFile {
    const absolute = resolve(path);
    const token = randomBytes(16).toString('hex');
    this.#grants.set(token, { path: absolute, purpose });
    return { token, name: basename(absolute), path: absolute };
  }

  /** Returns the path behind a token that was granted for one of `purposes`. */
  path(token: string, purposes: readonly DialogPurpose[]): string {
    const grant = this.#grants.get(token);
    if (!grant) {
      throw new NetcaseError('INVALID_ARGUMENT', `File token ${preview(token, 40)} was not issued in this session. Choose the file again in the dialog.`);
    }
    if (!purposes.includes(grant.purpose)) {
      throw new NetcaseError('INVALID_ARGUMENT', `${grant.path} was chosen to ${grant.purpose.replaceAll('-', ' ')}, not for this action (${purposes.join(' or ')}). Choose the file again in the right dialog.`);
    }
    return grant.path;
  }
}

/**
 * Resolves a path given relative to the case folder and checks, after following symbolic
 * links, that it stays inside the folder and exists.
 */
export function pathInsideCase(caseDir: string, casePath: string): string {
  if (isAbsolute(casePath)) {
    throw new NetcaseError('INVALID_ARGUMENT', `${preview(casePath)} is absolute. Give a path relative to the case folder, such as reports/report.pdf.`);
  }
  const root = realpathSync(caseDir);
  let target: string;
  try {
    target = realpathSync(resolve(root, casePath));
  } catch (error) {
    throw new NetcaseError('NOT_FOUND', `${preview(casePath)} was not found in the case folder ${root}.`, { cause: error });
  }
  const inside = relative(root, target);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    throw new NetcaseError('INVALID_ARGUMENT', `${preview(casePath)} lies outside the case folder ${root}. Choose the file in a dialog instead.`);
  }
  return target;
}
