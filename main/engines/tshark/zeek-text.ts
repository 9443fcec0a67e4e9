/**
 * Decodes %XX escapes in a URI the way Zeek does before logging it in http.log `uri`, and writes
 * the resulting bytes as Zeek's JSON writer does: valid UTF-8 as text, control characters and
 * invalid bytes as the four characters "\xNN".
 */
export function unescapeUri(uri: string): string {
  const bytes: number[] = [];
  const raw = Buffer.from(uri, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i]!;
    if (byte === 0x25 && i + 2 < raw.length && isHexDigit(raw[i + 1]!) && isHexDigit(raw[i + 2]!)) {
      bytes.push(parseInt(String.fromCharCode(raw[i + 1]!, raw[i + 2]!), 16));
      i += 2;
    } else {
      bytes.push(byte);
    }
  }
  return escapeBytes(Buffer.from(bytes));
}

/** Writes bytes as Zeek's JSON writer does: UTF-8 sequences as text, anything else as "\xNN". */
export function escapeBytes(bytes: Buffer): string {
  let text = '';
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    if (byte < 0x20 || byte === 0x7f) {
      text += hexEscape(byte);
      i += 1;
      continue;
    }
    if (byte < 0x80) {
      text += String.fromCharCode(byte);
      i += 1;
      continue;
    }
    const length = utf8SequenceLength(bytes, i);
    if (length === 0) {
      text += hexEscape(byte);
      i += 1;
      continue;
    }
    text += bytes.toString('utf8', i, i + length);
    i += length;
  }
  return text;
}

/** Length of the valid UTF-8 sequence starting at `start`, or 0 when it is not valid. */
function utf8SequenceLength(bytes: Buffer, start: number): number {
  const lead = bytes[start]!;
  let length = 0;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) length = 3;
  else if (lead >= 0xf0 && lead <= 0xf4) length = 4;
  if (length === 0 || start + length > bytes.length) return 0;
  for (let i = start + 1; i < start + length; i++) {
    if ((bytes[i]! & 0xc0) !== 0x80) return 0;
  }
  const decoded = bytes.toString('utf8', start, start + length);
  return decoded.includes('\ufffd') ? 0 : length;
}

function hexEscape(byte: number): string {
  return `\\x${byte.toString(16).padStart(2, '0')}`;
}

function isHexDigit(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
}
