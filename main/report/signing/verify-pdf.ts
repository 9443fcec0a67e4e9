import { createHash, createVerify, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

export interface PdfSignatureReport {
  /** True only when every check passed. */
  valid: boolean;
  /** Each failed check, in plain words; empty when valid. */
  problems: string[];
  signer?: string;
  reason?: string;
  /** Signing time from the signed attributes, ISO 8601. */
  signingTime?: string;
  /** True when the byte range runs from the first byte to the last, apart from the signature value. */
  coversWholeFile: boolean;
  byteRange?: [number, number, number, number];
  certificate?: {
    subject: string;
    issuer: string;
    serialNumber: string;
    validFrom: string;
    validTo: string;
    sha256Fingerprint: string;
    selfSigned: boolean;
  };
}

const OID = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

const DIGESTS: Record<string, string> = { [OID.sha1]: 'sha1', [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };

/**
 * Checks the last embedded signature of a PDF without trusting any reader: the byte range must
 * cover the whole file except the signature value, the signature value must be one clean hex
 * string, the CMS message digest must equal the digest of the signed bytes, and the signature
 * over the signed attributes must verify with the embedded signer certificate.
 * Trust in the certificate itself (who issued it) is left to the reader.
 */
export function verifyPdfSignature(pdf: Buffer): PdfSignatureReport {
  const report: PdfSignatureReport = { valid: false, problems: [], coversWholeFile: false };
  try {
    checkSignature(pdf, report);
  } catch (error) {
    report.problems.push(`the signature could not be read: ${(error as Error).message}`);
  }
  report.valid = report.problems.length === 0;
  return report;
}

function checkSignature(pdf: Buffer, report: PdfSignatureReport): void {
  // 1. Find the byte range and the signature value it leaves out.
  const text = pdf.toString('latin1');
  const rangeAt = text.lastIndexOf('/ByteRange');
  if (rangeAt < 0) {
    report.problems.push('the file has no embedded signature (no /ByteRange)');
    return;
  }
  const match = /^\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(text.slice(rangeAt, rangeAt + 120));
  if (!match) {
    report.problems.push('the /ByteRange entry is malformed');
    return;
  }
  const range = match.slice(1, 5).map(Number) as [number, number, number, number];
  report.byteRange = range;
  const [start, firstLength, secondStart, secondLength] = range;
  if (start !== 0 || firstLength >= secondStart || secondStart + secondLength > pdf.length) {
    report.problems.push(`the byte range [${range.join(' ')}] does not fit a file of ${pdf.length} bytes`);
    return;
  }
  report.coversWholeFile = secondStart + secondLength === pdf.length;
  if (!report.coversWholeFile) report.problems.push(`the signature covers bytes up to ${secondStart + secondLength} but the file has ${pdf.length}: content was added after signing`);

  const hex = text.slice(firstLength, secondStart);
  if (!/^<[0-9a-f]+>$/.test(hex) && !/^<[0-9A-F]+>$/.test(hex)) {
    report.problems.push('the signature value between the byte ranges is not one hex string in a single letter case');
    return;
  }
  const der = Buffer.from(hex.slice(1, -1), 'hex');
  const signed = Buffer.concat([pdf.subarray(0, firstLength), pdf.subarray(secondStart, secondStart + secondLength)]);
  readSignatureDictionary(text.slice(rangeAt, rangeAt + 2 * 12_288 + 4096), report);

  // 2. Parse the CMS SignedData. The value is zero-padded to the reserved size.
  const buffer = forge.util.createBuffer(der.toString('binary'));
  const asn1 = forge.asn1.fromDer(buffer, { parseAllBytes: false } as never);
  const cmsLength = forge.asn1.toDer(asn1).length();
  if (der.subarray(cmsLength).some((byte) => byte !== 0)) report.problems.push('there are non-zero bytes after the CMS signature');
  const message = forge.pkcs7.messageFromAsn1(asn1) as forge.pkcs7.PkcsSignedData & { rawCapture: { signerInfos?: forge.asn1.Asn1[] } };
  const signerInfos = message.rawCapture.signerInfos ?? [];
  if (signerInfos.length !== 1) {
    report.problems.push(`the CMS signature has ${signerInfos.length} signers; exactly one was expected`);
    return;
  }
  const signerInfo = parseSignerInfo(signerInfos[0]!);

  // 3. Find the signer's certificate by issuer and serial number.
  const certificates = message.certificates.map((cert) => Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary'));
  const x509 = certificates.map((bytes) => new X509Certificate(bytes));
  const signerCertificate = x509.find((cert) => normalizeSerial(cert.serialNumber) === signerInfo.serial);
  if (!signerCertificate) {
    report.problems.push('the signer certificate is not embedded in the signature');
    return;
  }
  report.certificate = {
    subject: signerCertificate.subject.replace(/\n/g, ', '),
    issuer: signerCertificate.issuer.replace(/\n/g, ', '),
    serialNumber: signerCertificate.serialNumber,
    validFrom: new Date(signerCertificate.validFrom).toISOString(),
    validTo: new Date(signerCertificate.validTo).toISOString(),
    sha256Fingerprint: signerCertificate.fingerprint256,
    selfSigned: signerCertificate.subject === signerCertificate.issuer && signerCertificate.verify(signerCertificate.publicKey),
  };
  report.signer ??= /CN=([^\n]+)/.exec(signerCertificate.subject)?.[1];

  // 4. Compare the message digest with the digest of the signed bytes.
  const digestName = DIGESTS[signerInfo.digestOid];
  if (!digestName) {
    report.problems.push(`the digest algorithm ${signerInfo.digestOid} is not supported`);
    return;
  }
  if (!signerInfo.messageDigest) {
    report.problems.push('the signed attributes have no message digest');
    return;
  }
  const digest = createHash(digestName).update(signed).digest();
  if (!digest.equals(signerInfo.messageDigest)) report.problems.push('the file content does not match the signed digest: it was changed after signing');

  // 5. Verify the signature over the signed attributes with the certificate's public key.
  const verifier = createVerify(digestName);
  verifier.update(signerInfo.signedAttributes);
  if (!verifier.verify(signerCertificate.publicKey, signerInfo.signature)) report.problems.push("the CMS signature does not verify with the signer certificate's public key");

  if (signerInfo.signingTime) {
    report.signingTime = signerInfo.signingTime.toISOString();
    const time = signerInfo.signingTime.getTime();
    if (time < Date.parse(signerCertificate.validFrom) || time > Date.parse(signerCertificate.validTo)) {
      report.problems.push(`the signing time ${report.signingTime} lies outside the certificate's validity`);
    }
  }
}

interface SignerInfo {
  serial: string;
  digestOid: string;
  /** DER of the signed attributes with the SET tag, the bytes the signature covers. */
  signedAttributes: Buffer;
  messageDigest?: Buffer;
  signingTime?: Date;
  signature: Buffer;
}

/** Reads a CMS SignerInfo: version, sid, digest algorithm, [0] signed attributes, algorithm, signature. */
function parseSignerInfo(node: forge.asn1.Asn1): SignerInfo {
  const parts = node.value as forge.asn1.Asn1[];
  const sid = parts[1]!.value as forge.asn1.Asn1[];
  const serial = normalizeSerial(forge.util.bytesToHex(sid[1]!.value as string));
  const digestOid = forge.asn1.derToOid((parts[2]!.value as forge.asn1.Asn1[])[0]!.value as string);
  const attributesNode = parts[3]!;
  if (attributesNode.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC || attributesNode.type !== 0) {
    throw new Error('the signer has no signed attributes');
  }
  const asSet = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, attributesNode.value as forge.asn1.Asn1[]);
  const signedAttributes = Buffer.from(forge.asn1.toDer(asSet).getBytes(), 'binary');

  const info: SignerInfo = { serial, digestOid, signedAttributes, signature: Buffer.from(parts[5]!.value as string, 'binary') };
  for (const attribute of attributesNode.value as forge.asn1.Asn1[]) {
    const [typeNode, valuesNode] = attribute.value as forge.asn1.Asn1[];
    const type = forge.asn1.derToOid(typeNode!.value as string);
    const value = (valuesNode!.value as forge.asn1.Asn1[])[0]!;
    if (type === OID.messageDigest) info.messageDigest = Buffer.from(value.value as string, 'binary');
    if (type === OID.signingTime) {
      info.signingTime = value.type === forge.asn1.Type.UTCTIME ? forge.asn1.utcTimeToDate(value.value as string) : forge.asn1.generalizedTimeToDate(value.value as string);
    }
  }
  return info;
}

function normalizeSerial(hex: string): string {
  return hex.toLowerCase().replace(/^0+/, '');
}

/** Takes /Name and /Reason from the signature dictionary around the byte range. */
function readSignatureDictionary(dictionary: string, report: PdfSignatureReport): void {
  const name = readPdfString(dictionary, '/Name');
  const reason = readPdfString(dictionary, '/Reason');
  if (name) report.signer = name;
  if (reason) report.reason = reason;
}

function readPdfString(text: string, key: string): string | undefined {
  const at = text.indexOf(`${key} (`);
  if (at < 0) return undefined;
  let depth = 0;
  let raw = '';
  for (let i = at + key.length + 2; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\') {
      const next = text[++i]!;
      const escapes: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
      if (/[0-7]/.test(next)) {
        const octal = /^[0-7]{1,3}/.exec(text.slice(i, i + 3))![0];
        raw += String.fromCharCode(parseInt(octal, 8));
        i += octal.length - 1;
      } else raw += escapes[next] ?? next;
      continue;
    }
    if (char === '(') depth++;
    if (char === ')' && depth-- === 0) break;
    raw += char;
  }
  if (raw.startsWith('\u00fe\u00ff')) return Buffer.from(raw.slice(2), 'latin1').swap16().toString('utf16le');
  return raw;
}
