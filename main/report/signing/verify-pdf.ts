import { createHash, createVerify, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

export interface PdfSignatureReport {
  /** True only when every check passed. */
  valid: boolean;
  /** Each failed check in plain words, empty when the signature is valid. */
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
 * Checks the last embedded signature of a PDF without relying on a PDF reader. The byte range
 * must cover the whole file except the signature value, which must be one hex string in canonical
 * DER. The CMS message digest must equal the digest of the signed bytes, and the signature over
 * the signed attributes must verify with the embedded signer certificate. Whether to trust that
 * certificate (who issued it) is left to the reader.
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
  // Readers accept the header anywhere in the first 1024 bytes, so this does too.
  if (!text.slice(0, 1024).includes('%PDF-')) {
    report.problems.push(pdf.length === 0 ? 'the file is empty (0 bytes), not a PDF' : 'the file is not a PDF (no "%PDF-" header in its first 1024 bytes)');
    return;
  }
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
  // Re-encoding must give back the same bytes: a changed length or tag inside the signature
  // would otherwise go unnoticed by a parser that skips what it does not need.
  const canonical = Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
  if (!der.subarray(0, canonical.length).equals(canonical)) report.problems.push('the CMS signature is not in canonical DER form (its bytes were changed)');
  if (der.subarray(canonical.length).some((byte) => byte !== 0)) report.problems.push('there are non-zero bytes after the CMS signature');
  // DER never contains end-of-content markers. Finding one means a length was enlarged so that
  // the zero padding became part of the structure.
  if (containsEndOfContent(asn1)) report.problems.push('the CMS signature contains end-of-content markers (a length inside it was changed)');
  const signedData = parseSignedData(asn1, report.problems);
  if (!signedData) return;
  const signerInfo = parseSignerInfo(signedData.signerInfo, report.problems);
  if (!signedData.digestOids.includes(signerInfo.digestOid)) report.problems.push('the signer digest algorithm is not listed in the SignedData digest algorithms');

  // 3. Find the signer's certificate by issuer and serial number, and check the certificate's
  // own signature, which is what protects its bytes (the CMS signature does not cover them).
  const certificates = signedData.certificates.map((bytes) => new X509Certificate(bytes));
  const signerIndex = certificates.findIndex((cert, i) => normalizeSerial(cert.serialNumber) === signerInfo.serial && issuerDer(signedData.certificates[i]!).equals(signerInfo.issuer));
  const signerCertificate = certificates[signerIndex];
  if (!signerCertificate) {
    report.problems.push('the signer certificate is not embedded in the signature');
    return;
  }
  const selfIssued = signerCertificate.subject === signerCertificate.issuer;
  const issuer = selfIssued ? signerCertificate : certificates.find((cert) => cert !== signerCertificate && signerCertificate.checkIssued(cert));
  // NOTE: a certificate whose issuer is not embedded cannot be checked, so it is rejected. The
  // PKCS#12 file must carry the issuing chain.
  if (!issuer) report.problems.push("the signer certificate's issuer is not embedded, so the certificate's integrity cannot be checked");
  else if (!signerCertificate.verify(issuer.publicKey)) report.problems.push("the signer certificate's own signature does not verify (the certificate was changed)");
  report.certificate = {
    subject: signerCertificate.subject.replace(/\n/g, ', '),
    issuer: signerCertificate.issuer.replace(/\n/g, ', '),
    serialNumber: signerCertificate.serialNumber,
    validFrom: new Date(signerCertificate.validFrom).toISOString(),
    validTo: new Date(signerCertificate.validTo).toISOString(),
    sha256Fingerprint: signerCertificate.fingerprint256,
    selfSigned: selfIssued && signerCertificate.verify(signerCertificate.publicKey),
  };
  // The certificate's name is protected by the certificate's signature, but /Name is only a label.
  report.signer = /CN=([^\n]+)/.exec(signerCertificate.subject)?.[1] ?? report.signer;

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

interface SignedDataParts {
  digestOids: string[];
  /** DER of each embedded certificate. */
  certificates: Buffer[];
  signerInfo: forge.asn1.Asn1;
}

interface SignerInfo {
  serial: string;
  /** DER of the issuer name in the signer identifier. */
  issuer: Buffer;
  digestOid: string;
  /** DER of the signed attributes with the SET tag, the bytes the signature covers. */
  signedAttributes: Buffer;
  messageDigest?: Buffer;
  signingTime?: Date;
  signature: Buffer;
}

const CMS_OID = {
  signedData: '1.2.840.113549.1.7.2',
  data: '1.2.840.113549.1.7.1',
  signatureAlgorithms: ['1.2.840.113549.1.1.1', '1.2.840.113549.1.1.11', '1.2.840.113549.1.1.12', '1.2.840.113549.1.1.13'],
};

/**
 * Reads ContentInfo { signedData, [0] SignedData { version 1, digestAlgorithms, detached
 * id-data content, [0] certificates, signerInfos } } and rejects every other shape, because
 * these fields lie outside what the signature covers.
 */
function parseSignedData(contentInfo: forge.asn1.Asn1, problems: string[]): SignedDataParts | undefined {
  const fail = (reason: string): undefined => {
    problems.push(`the CMS signature is malformed: ${reason}`);
    return undefined;
  };
  const outer = children(contentInfo);
  if (!isSequence(contentInfo) || outer.length !== 2 || oidOf(outer[0]!) !== CMS_OID.signedData || !isContext(outer[1]!, 0)) return fail('it is not a SignedData ContentInfo');
  const body = children(outer[1]!)[0];
  if (children(outer[1]!).length !== 1 || !body || !isSequence(body)) return fail('the SignedData is not a sequence');
  const [version, digestSet, encapsulated, ...rest] = children(body);
  if (!version || integerText(version) !== '01') return fail('the SignedData version is not 1');
  if (!digestSet || !isSet(digestSet) || !children(digestSet).every(isSequence)) return fail('the digest algorithms are not a set of algorithm identifiers');
  if (!children(digestSet).every(hasNoParameters)) return fail('a digest algorithm has unexpected parameters');
  const digestOids = children(digestSet).map((algorithm) => oidOf(children(algorithm)[0]!));
  const content = children(encapsulated!);
  if (!isSequence(encapsulated!) || content.length !== 1 || oidOf(content[0]!) !== CMS_OID.data) return fail('the signed content is not detached id-data');
  const certificateNode = rest.find((node) => isContext(node, 0));
  const signerInfos = rest[rest.length - 1];
  if (!signerInfos || !isSet(signerInfos)) return fail('there are no signer infos');
  if (rest.length > 3 || rest.slice(0, -1).some((node) => !isContext(node, 0) && !isContext(node, 1))) return fail('the SignedData has unexpected fields');
  if (certificateNode && !children(certificateNode).every(isSequence)) return fail('an embedded certificate is not a sequence');
  if (children(signerInfos).length !== 1) return fail(`there are ${children(signerInfos).length} signers; exactly one was expected`);
  const certificates = certificateNode ? children(certificateNode).map((node) => Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary')) : [];
  return { digestOids, certificates, signerInfo: children(signerInfos)[0]! };
}

/** Reads a CMS SignerInfo: version, sid, digest algorithm, [0] signed attributes, algorithm, signature. */
function parseSignerInfo(node: forge.asn1.Asn1, problems: string[]): SignerInfo {
  const parts = children(node);
  if (!isSequence(node) || parts.length < 6 || !isSequence(parts[1]!) || !isSequence(parts[2]!) || !isSequence(parts[4]!)) throw new Error('the signer info is not a CMS SignerInfo');
  if (integerText(parts[0]!) !== '01') problems.push('the signer info version is not 1 (issuer and serial number)');
  const sid = children(parts[1]!);
  if (sid.length !== 2 || !isSequence(sid[0]!) || integerText(sid[1]!) === '') throw new Error('the signer identifier is not an issuer and serial number');
  const serial = normalizeSerial(integerText(sid[1]!));
  const issuer = Buffer.from(forge.asn1.toDer(sid[0]!).getBytes(), 'binary');
  const digestOid = oidOf(children(parts[2]!)[0]!);
  const attributesNode = parts[3]!;
  if (!isContext(attributesNode, 0)) throw new Error('the signer has no signed attributes');
  if (!hasNoParameters(parts[2]!) || !hasNoParameters(parts[4]!)) problems.push('an algorithm identifier of the signer has unexpected parameters');
  const signatureAlgorithm = oidOf(children(parts[4]!)[0]!);
  if (!CMS_OID.signatureAlgorithms.includes(signatureAlgorithm)) problems.push(`the signature algorithm ${signatureAlgorithm} is not RSA`);
  const signatureNode = parts[5];
  if (signatureNode?.tagClass !== forge.asn1.Class.UNIVERSAL || signatureNode.type !== forge.asn1.Type.OCTETSTRING) problems.push('the signer info has no signature value');
  if (parts.length > 7 || (parts.length === 7 && !isContext(parts[6]!, 1))) problems.push('the signer info has unexpected fields');
  const asSet = forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.SET, true, children(attributesNode));
  const signedAttributes = Buffer.from(forge.asn1.toDer(asSet).getBytes(), 'binary');

  const signature = Buffer.from(typeof signatureNode?.value === 'string' ? signatureNode.value : '', 'binary');
  const info: SignerInfo = { serial, issuer, digestOid, signedAttributes, signature };
  let contentType: string | undefined;
  for (const attribute of children(attributesNode)) {
    const [typeNode, valuesNode] = children(attribute);
    if (!isSequence(attribute) || !valuesNode || !isSet(valuesNode) || children(attribute).length !== 2) problems.push('a signed attribute is malformed');
    const type = oidOf(typeNode!);
    const value = children(valuesNode!)[0]!;
    if (type === OID.contentType) contentType = oidOf(value);
    if (type === OID.messageDigest) info.messageDigest = Buffer.from(value.value as string, 'binary');
    if (type === OID.signingTime) {
      info.signingTime = value.type === forge.asn1.Type.UTCTIME ? forge.asn1.utcTimeToDate(value.value as string) : forge.asn1.generalizedTimeToDate(value.value as string);
    }
  }
  if (contentType !== CMS_OID.data) problems.push('the signed content type attribute is not id-data');
  return info;
}

function children(node: forge.asn1.Asn1): forge.asn1.Asn1[] {
  return Array.isArray(node.value) ? node.value : [];
}

/** True for an AlgorithmIdentifier whose parameters are absent or NULL, as for SHA-2 and RSA. */
function hasNoParameters(algorithm: forge.asn1.Asn1): boolean {
  const parts = children(algorithm);
  if (parts.length === 1) return true;
  const parameters = parts[1]!;
  return parts.length === 2 && parameters.tagClass === forge.asn1.Class.UNIVERSAL && parameters.type === forge.asn1.Type.NULL && parameters.value === '';
}

function isSequence(node: forge.asn1.Asn1): boolean {
  return node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === forge.asn1.Type.SEQUENCE && node.constructed;
}

function isSet(node: forge.asn1.Asn1): boolean {
  return node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === forge.asn1.Type.SET && node.constructed;
}

function isContext(node: forge.asn1.Asn1, type: number): boolean {
  return node.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && node.type === type;
}

function oidOf(node: forge.asn1.Asn1): string {
  if (node.tagClass !== forge.asn1.Class.UNIVERSAL || node.type !== forge.asn1.Type.OID || typeof node.value !== 'string') return '';
  return forge.asn1.derToOid(node.value);
}

function integerText(node: forge.asn1.Asn1): string {
  const isInteger = node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === forge.asn1.Type.INTEGER;
  return isInteger && typeof node.value === 'string' ? forge.util.bytesToHex(node.value) : '';
}

/** DER of a certificate's issuer name (TBSCertificate field after version, serial and algorithm). */
function issuerDer(certificate: Buffer): Buffer {
  const tbs = children(forge.asn1.fromDer(forge.util.createBuffer(certificate.toString('binary'))))[0]!;
  const fields = children(tbs);
  const offset = isContext(fields[0]!, 0) ? 1 : 0;
  return Buffer.from(forge.asn1.toDer(fields[offset + 2]!).getBytes(), 'binary');
}

function containsEndOfContent(node: forge.asn1.Asn1): boolean {
  if (node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === 0) return true;
  return Array.isArray(node.value) && node.value.some(containsEndOfContent);
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
