import { writeFileSync } from 'node:fs';
import { NetcaseError } from '../errors.js';

/** The eight bytes every PNG file starts with (PNG specification, section 5.2). */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Writes a PNG image given as base64 text to `path`, replacing the file the analyst chose in the
 * save dialog. Rejects data that does not start with the PNG signature, so the renderer cannot
 * write arbitrary bytes under a `.png` name.
 */
export function writePngFile(path: string, base64: string): { path: string; bytes: number } {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length < PNG_SIGNATURE.length || !bytes.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE)) {
    throw new NetcaseError('INVALID_ARGUMENT', `The image for ${path} is not a PNG: its first bytes are ${bytes.subarray(0, 8).toString('hex') || 'missing'}. Export the image again.`);
  }
  writeFileSync(path, bytes);
  return { path, bytes: bytes.length };
}
