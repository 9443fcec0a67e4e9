import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import forge from 'node-forge';
import { NetcaseError } from '../../errors.js';

/** The private key and certificate a report is signed with, taken from the analyst's PKCS#12 file. */
export interface SigningIdentity {
  key: forge.pki.rsa.PrivateKey;
  certificate: forge.pki.Certificate;
  /** Other certificates in the file (issuers), embedded in the signature too. */
  chain: forge.pki.Certificate[];
  name: string;
  email?: string;
}

export interface CreateCertificateOptions {
  name: string;
  email?: string;
  passphrase: string;
  /** Validity in days from now. */
  days?: number;
}

const DEFAULT_VALIDITY_DAYS = 730;
const MAX_VALIDITY_DAYS = 3650;

/**
 * Creates a self-signed analyst certificate (RSA 2048, SHA-256, key usage digitalSignature and
 * nonRepudiation) and returns it with its private key as a passphrase-protected PKCS#12 file.
 */
export function createAnalystCertificate(options: CreateCertificateOptions): Buffer {
  const name = options.name.trim();
  if (name === '') throw new NetcaseError('INVALID_ARGUMENT', 'The certificate needs a non-empty --name, the signer name shown in signed reports.');
  if (options.email !== undefined && !/^[^\s@]+@[^\s@]+$/.test(options.email)) {
    throw new NetcaseError('INVALID_ARGUMENT', `--email "${options.email}" is not an e-mail address. Give it as name@domain, or leave it out.`);
  }
  const days = options.days ?? DEFAULT_VALIDITY_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) {
    throw new NetcaseError('INVALID_ARGUMENT', `--days must be a whole number from 1 to ${MAX_VALIDITY_DAYS}, got ${days}.`);
  }
  checkNewPassphrase(options.passphrase);

  // Node generates the key natively, because forge's pure-JavaScript generator takes seconds.
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey = forge.pki.privateKeyFromPem(pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const publicKey = forge.pki.publicKeyFromPem(pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());

  const certificate = forge.pki.createCertificate();
  certificate.publicKey = publicKey;
  // A positive 16-byte serial number: the first byte's high bit is cleared.
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  certificate.serialNumber = serial.toString('hex');
  const now = new Date();
  certificate.validity.notBefore = new Date(now.getTime() - 60_000);
  certificate.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
  // Names are UTF8String, so non-Latin signer names survive (forge's default would mangle them).
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: name, valueTagClass: forge.asn1.Type.UTF8 as never }];
  if (options.email) subject.push({ name: 'emailAddress', value: options.email });
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
    { name: 'extKeyUsage', emailProtection: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (options.email) extensions.push({ name: 'subjectAltName', altNames: [{ type: 1, value: options.email }] });
  certificate.setExtensions(extensions);
  certificate.sign(privateKey, forge.md.sha256.create());

  // forge writes the friendly name wrongly when it is not ASCII, so such names are left out.
  const friendlyName = /^[\x20-\x7e]+$/.test(name) ? { friendlyName: name } : {};
  const p12 = forge.pkcs12.toPkcs12Asn1(privateKey, [certificate], options.passphrase, { algorithm: 'aes256', ...friendlyName });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}

export interface SavedCertificate {
  path: string;
  subject: string;
  notAfter: string;
  /** SHA-256 of the certificate's DER, as colon-separated hex: what a reader compares. */
  sha256Fingerprint: string;
}

/**
 * Creates an analyst certificate and writes it to `out` (readable by the owner only). An
 * existing file is never overwritten, and the file appears complete or not at all.
 */
export function saveAnalystCertificate(out: string, options: CreateCertificateOptions): SavedCertificate {
  const path = resolve(out);
  if (existsSync(path)) throw new NetcaseError('ALREADY_EXISTS', `${path} already exists. Choose another --out path; Netcase does not overwrite a certificate.`);
  const folder = dirname(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new NetcaseError('NOT_FOUND', `The folder ${folder} for --out does not exist. Create it first.`);

  const p12 = createAnalystCertificate(options);
  const temporary = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    writeFileSync(temporary, p12, { flag: 'wx', mode: 0o600 });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new NetcaseError('IO', `Cannot write the certificate to ${path}: ${(error as Error).message}.`, { cause: error });
  }

  const identity = loadSigningIdentity(p12, options.passphrase, path);
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(identity.certificate)).getBytes(), 'binary');
  return {
    path,
    subject: identity.email ? `${identity.name} <${identity.email}>` : identity.name,
    notAfter: identity.certificate.validity.notAfter.toISOString(),
    sha256Fingerprint: createHash('sha256').update(der).digest('hex').toUpperCase().match(/../g)!.join(':'),
  };
}

/**
 * Opens a PKCS#12 file and checks that it can sign a report now. The passphrase must open it,
 * it must contain a private key and the certificate for that key, and the certificate must be
 * within its validity period and, when it states a key usage, allow digital signatures.
 */
export function loadSigningIdentity(p12: Buffer, passphrase: string, source: string, now = new Date()): SigningIdentity {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(p12.toString('binary')));
    parsed = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase);
  } catch (error) {
    // node-forge ends its messages with a period; the sentence below adds its own.
    const message = ((error as Error).message ?? String(error)).replace(/\.+$/, '');
    if (/MAC could not be verified|Invalid password|decrypt/i.test(message)) {
      throw new NetcaseError('INVALID_ARGUMENT', `Wrong passphrase for ${source}: the file's integrity check failed with it. Set NETCASE_P12_PASSPHRASE to the passphrase given when the file was created.`, { cause: error });
    }
    throw new NetcaseError('INPUT_INVALID', `${source} is not a readable PKCS#12 (.p12) file: ${message}. Export the certificate and its private key as PKCS#12, or make one with "netcase cert create".`, { cause: error });
  }

  const keys = [
    ...(parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(parsed.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ]
    .map((bag) => bag.key)
    .filter((key): key is forge.pki.rsa.PrivateKey => key !== undefined && key !== null);
  if (keys.length === 0) {
    throw new NetcaseError('INPUT_INVALID', `${source} contains no private key (or only a non-RSA key, which Netcase cannot sign with), so it cannot sign. Export the certificate together with its RSA private key.`);
  }
  const certificates = (parsed.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [])
    .map((bag) => bag.cert)
    .filter((cert): cert is forge.pki.Certificate => cert !== undefined && cert !== null);

  for (const key of keys) {
    const certificate = certificates.find((cert) => matchesKey(cert, key));
    if (!certificate) continue;
    checkUsableForSigning(certificate, source, now);
    const chain = certificates.filter((cert) => cert !== certificate);
    if (!certificate.issued(certificate) && !chain.some((cert) => cert.issued(certificate))) {
      throw new NetcaseError('INPUT_INVALID', `${source} lacks the certificate of the CA that issued "${commonName(certificate) ?? 'the signer'}", so readers could not check the signer certificate. Export the PKCS#12 file with its certificate chain.`);
    }
    const email = certificate.subject.getField('E')?.value as string | undefined;
    return {
      key,
      certificate,
      chain,
      name: commonName(certificate) ?? 'unnamed signer',
      ...(email ? { email } : {}),
    };
  }
  throw new NetcaseError('INPUT_INVALID', `${source} contains a private key but no certificate for that key (${certificates.length} other certificate(s)). Export the key together with its own certificate.`);
}

/** Rejects passphrases that would leave the private key effectively unprotected. */
export function checkNewPassphrase(passphrase: string): void {
  if (passphrase.length < 8) {
    throw new NetcaseError('INVALID_ARGUMENT', `The passphrase has ${passphrase.length} characters; use at least 8 to protect the private key.`);
  }
}

function commonName(certificate: forge.pki.Certificate): string | undefined {
  const field = certificate.subject.getField('CN') as forge.pki.CertificateField | null;
  return field ? decodedAttribute(field).value as string : undefined;
}

/**
 * Decodes a parsed name attribute into the form forge expects when encoding. forge encodes
 * UTF8String values itself but leaves them as UTF-8 bytes when it parses a certificate.
 */
export function decodedAttribute(field: forge.pki.CertificateField): forge.pki.CertificateField {
  const utf8 = (field as { valueTagClass?: number }).valueTagClass === forge.asn1.Type.UTF8;
  return utf8 && typeof field.value === 'string' ? { ...field, value: forge.util.decodeUtf8(field.value) } : field;
}

function matchesKey(certificate: forge.pki.Certificate, key: forge.pki.rsa.PrivateKey): boolean {
  const publicKey = certificate.publicKey as forge.pki.rsa.PublicKey;
  return publicKey.n !== undefined && publicKey.n.compareTo(key.n) === 0 && publicKey.e.compareTo(key.e) === 0;
}

function checkUsableForSigning(certificate: forge.pki.Certificate, source: string, now: Date): void {
  const { notBefore, notAfter } = certificate.validity;
  const subject = commonName(certificate) ?? 'the certificate';
  if (now > notAfter) {
    throw new NetcaseError('INPUT_INVALID', `The certificate of "${subject}" in ${source} expired on ${notAfter.toISOString()}. Make a new one with "netcase cert create" or renew it.`);
  }
  if (now < notBefore) {
    throw new NetcaseError('INPUT_INVALID', `The certificate of "${subject}" in ${source} is not valid before ${notBefore.toISOString()}. Check the computer's clock or the certificate.`);
  }
  const keyUsage = certificate.getExtension('keyUsage') as { digitalSignature?: boolean; nonRepudiation?: boolean } | null;
  if (keyUsage && !keyUsage.digitalSignature && !keyUsage.nonRepudiation) {
    throw new NetcaseError('INPUT_INVALID', `The certificate of "${subject}" in ${source} does not allow digital signatures (its key usage lacks digitalSignature). Use a signing certificate, e.g. one from "netcase cert create".`);
  }
}
