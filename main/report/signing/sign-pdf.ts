import forge from 'node-forge';
import { SignPdf, Signer } from '@signpdf/signpdf';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { NetcaseError } from '../../errors.js';
import { decodedAttribute, type SigningIdentity } from './identity.js';

export interface SignOptions {
  reason: string;
  location?: string;
  signingTime?: Date;
}

/** Room reserved for the CMS signature, in bytes. Ours with one RSA 2048 certificate take about 1.4 KB. */
const SIGNATURE_SPACE = 12_288;

/**
 * Signs a PDF with an embedded CMS signature (adbe.pkcs7.detached, SHA-256). The signature
 * dictionary is added as an incremental update whose byte range covers the whole file except
 * the signature value, and carries the signer's name, reason and signing time.
 */
export async function signPdf(pdf: Buffer, identity: SigningIdentity, options: SignOptions): Promise<Buffer> {
  const signingTime = options.signingTime ?? new Date();
  const withPlaceholder = plainAddPlaceholder({
    pdfBuffer: pdf,
    reason: options.reason,
    contactInfo: asciiOnly(identity.email ?? ''),
    name: asciiOnly(identity.name),
    location: asciiOnly(options.location ?? ''),
    signingTime,
    signatureLength: SIGNATURE_SPACE,
    appName: 'Netcase',
  });
  try {
    return await new SignPdf().sign(withPlaceholder, new IdentitySigner(identity), signingTime);
  } catch (error) {
    throw new NetcaseError('INTERNAL', `Signing the report failed: ${(error as Error).message}.`, { cause: error });
  }
}

/**
 * Returns the text when it is printable ASCII, else an empty string. @signpdf/placeholder-plain
 * 3.3 encodes other characters of these entries twice, which would show a garbled name. Readers
 * then take the signer's name from the certificate, where it is stored correctly.
 */
function asciiOnly(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : '';
}

/** Produces the detached CMS SignedData over the bytes @signpdf passes in. */
class IdentitySigner extends Signer {
  constructor(private readonly identity: SigningIdentity) {
    super();
  }

  override async sign(content: Buffer, signingTime?: Date): Promise<Buffer> {
    const signedData = forge.pkcs7.createSignedData();
    signedData.content = forge.util.createBuffer(content.toString('binary'));
    signedData.addCertificate(this.identity.certificate);
    for (const certificate of this.identity.chain) signedData.addCertificate(certificate);
    // The signer is named by issuer and serial number rather than by certificate, because forge
    // would re-encode a parsed UTF8String issuer name twice.
    signedData.addSigner({
      key: this.identity.key,
      issuer: this.identity.certificate.issuer.attributes.map(decodedAttribute),
      serialNumber: this.identity.certificate.serialNumber,
      digestAlgorithm: forge.pki.oids.sha256!,
      // Order as PAdES validators expect: content type, signing time, message digest.
      authenticatedAttributes: [
        { type: forge.pki.oids.contentType!, value: forge.pki.oids.data! },
        { type: forge.pki.oids.signingTime!, value: (signingTime ?? new Date()) as unknown as string },
        { type: forge.pki.oids.messageDigest! },
      ],
    } as unknown as Parameters<typeof signedData.addSigner>[0]);
    signedData.sign({ detached: true });
    return Buffer.from(forge.asn1.toDer(signedData.toAsn1()).getBytes(), 'binary');
  }
}
