import { createHash, type Hash } from 'node:crypto';

/** md5, sha1 and sha256 of a file's bytes, in lower-case hex as Zeek writes them. */
export interface FileDigest {
  md5: string;
  sha1: string;
  sha256: string;
}

/**
 * Hashes one transferred file as its bytes arrive, so that no file is held in memory. Follows
 * Zeek's hash analyzer: a gap in the bytes (data the capture lost) drops the hashes, a file
 * cut short keeps the hashes of the bytes seen, and a file with no bytes has none.
 */
export class FileHasher {
  /** Bytes hashed so far, which Zeek reports as seen_bytes. */
  bytes = 0;
  /** Bytes reported missing, which Zeek reports as missing_bytes. */
  missingBytes = 0;
  private readonly hashes: Hash[] = [createHash('md5'), createHash('sha1'), createHash('sha256')];
  private result: FileDigest | undefined;

  update(chunk: Buffer): void {
    if (chunk.length === 0 || this.result) return;
    this.bytes += chunk.length;
    for (const hash of this.hashes) hash.update(chunk);
  }

  /** Notes bytes the capture does not contain. */
  gap(length: number): void {
    this.missingBytes += length;
  }

  /**
   * Returns the digests, or undefined when a gap or an empty file leaves Zeek without hashes.
   * The first call ends the hashing; later calls return the same digests.
   */
  digest(): FileDigest | undefined {
    if (this.missingBytes > 0 || this.bytes === 0) return undefined;
    if (!this.result) {
      const [md5, sha1, sha256] = this.hashes.map((hash) => hash.digest('hex'));
      this.result = { md5: md5!, sha1: sha1!, sha256: sha256! };
    }
    return this.result;
  }
}
