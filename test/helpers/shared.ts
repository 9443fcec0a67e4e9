import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe } from 'vitest';

/**
 * The read-only corpus and scenarios beside the repository (`../shared`), present in CI and on
 * the team's machines but not in a user's clone. NETCASE_SHARED overrides the location.
 */
export const SHARED_DIR = resolve(process.env.NETCASE_SHARED ?? resolve(import.meta.dirname, '../../../shared'));
export const HAS_SHARED = existsSync(resolve(SHARED_DIR, 'corpus'));

export function sharedPath(...parts: string[]): string {
  return resolve(SHARED_DIR, ...parts);
}

let reasonPrinted = false;

/** `describe` that skips, saying why, when ../shared is absent. */
export function describeWithShared(name: string, body: () => void): void {
  if (!HAS_SHARED && !reasonPrinted) {
    reasonPrinted = true;
    console.warn(`Skipping tests that read the shared corpus: ${SHARED_DIR} not found (set NETCASE_SHARED to its location).`);
  }
  (HAS_SHARED ? describe : describe.skip)(name, body);
}
