import { isIP } from 'node:net';
import { NetcaseError } from '../errors.js';

/** Private (RFC 1918, RFC 4193), link-local and loopback ranges: the default local networks. */
export const DEFAULT_LOCAL_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '127.0.0.0/8', 'fc00::/7', 'fe80::/10', '::1/128'];

interface Network {
  version: 4 | 6;
  base: bigint;
  mask: bigint;
}

/** Decides whether an address is internal, by a list of CIDR networks. */
export class LocalNetworks {
  private readonly networks: Network[];

  constructor(readonly cidrs: readonly string[] = DEFAULT_LOCAL_NETWORKS) {
    this.networks = cidrs.map(parseCidr);
  }

  isInternal(address: string): boolean {
    const version = isIP(address);
    if (version === 0) return false;
    const value = addressToBigInt(address, version);
    return this.networks.some((network) => network.version === version && (value & network.mask) === network.base);
  }
}

function parseCidr(cidr: string): Network {
  const [address = '', prefixText] = cidr.trim().split('/');
  const version = isIP(address);
  const bits = version === 6 ? 128 : 32;
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (version === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new NetcaseError('INVALID_ARGUMENT', `"${cidr}" is not a network. Write it in CIDR form, such as 10.0.0.0/8 or fd00::/8.`);
  }
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { version: version as 4 | 6, base: addressToBigInt(address, version) & mask, mask };
}

function addressToBigInt(address: string, version: number): bigint {
  if (version === 4) return address.split('.').reduce((sum, part) => (sum << 8n) + BigInt(Number(part)), 0n);

  let text = address.split('%')[0]!.toLowerCase();
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = addressToBigInt(v4[1]!, 4);
    text = text.slice(0, -v4[1]!.length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - headParts.length - tailParts.length).fill('0');
  return [...headParts, ...zeros, ...tailParts].reduce((sum, part) => (sum << 16n) + BigInt(parseInt(part, 16)), 0n);
}
