import { NetcaseError } from '../../errors.js';

/** The archive member that lists every other member with its size and SHA-256. */
export const MANIFEST_NAME = 'manifest.json';
/** The member that contains the SHA-256 of the manifest, so a damaged manifest is detected too. */
export const MANIFEST_HASH_NAME = 'manifest.sha256';

export interface ManifestMember {
  path: string;
  size: number;
  sha256: string;
}

export interface ManifestEvidence {
  id: number;
  storedPath: string;
  sha256: string;
  size: number;
  /** False when the archive was made with --without-evidence. */
  included: boolean;
}

/** Contents of manifest.json in a portable case archive. */
export interface Manifest {
  format: 'netcase-portable-case';
  version: 1;
  case: { id: string; name: string; analyst: string };
  exportedAt: string;
  exportedBy: string;
  tool: string;
  withoutEvidence: boolean;
  evidence: ManifestEvidence[];
  members: ManifestMember[];
}

export function manifestHashText(sha256: string): string {
  return `${sha256}  ${MANIFEST_NAME}\n`;
}

/** Parses and checks the shape of manifest.json; throws INPUT_INVALID when it is not one. */
export function parseManifest(text: string): Manifest {
  let parsed: Partial<Manifest>;
  try {
    parsed = JSON.parse(text) as Partial<Manifest>;
  } catch (error) {
    throw new NetcaseError('INPUT_INVALID', `The archive's ${MANIFEST_NAME} is not valid JSON (${(error as Error).message}). Nothing was imported; ask for a fresh export.`);
  }
  const validMembers = Array.isArray(parsed.members) && parsed.members.every((member) => typeof member?.path === 'string' && Number.isSafeInteger(member.size) && /^[0-9a-f]{64}$/.test(member.sha256 ?? ''));
  const validEvidence = Array.isArray(parsed.evidence) && parsed.evidence.every((item) => typeof item?.storedPath === 'string' && /^[0-9a-f]{64}$/.test(item.sha256 ?? '') && typeof item.included === 'boolean');
  if (parsed.format !== 'netcase-portable-case' || parsed.version !== 1 || !validMembers || !validEvidence || typeof parsed.case?.id !== 'string') {
    throw new NetcaseError('INPUT_INVALID', `The archive's ${MANIFEST_NAME} is not a Netcase portable case manifest of version 1. Nothing was imported.`);
  }
  return parsed as Manifest;
}
