/**
 * The packet fields the tshark engine requests, in output order, and a typed view of one output
 * line. With `-T fields` tshark prints one line per packet, with FIELD_SEPARATOR between fields
 * and OCCURRENCE_SEPARATOR between the occurrences of one field. Both are ASCII control
 * characters (record and unit separator), so commas, tabs and spaces in values do not split them.
 * NOTE: a value that itself contains one of them would shift the columns. PacketRow.parse then
 * rejects the line, and the engine counts such lines in a warning.
 */
export const FIELD_SEPARATOR = '\x1e';
export const OCCURRENCE_SEPARATOR = '\x1f';

export const FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'frame.protocols',
  'frame.len',
  'frame.cap_len',
  'ip.src',
  'ip.dst',
  'ip.len',
  'ip.hdr_len',
  'ip.proto',
  'ip.checksum.status',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.plen',
  'ipv6.nxt',
  'tcp.stream',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'tcp.len',
  'tcp.seq',
  'tcp.checksum.status',
  'tcp.payload',
  'udp.stream',
  'udp.srcport',
  'udp.dstport',
  'udp.length',
  'udp.checksum.status',
  'icmp.type',
  'icmp.code',
  'icmpv6.type',
  'icmpv6.code',
  'dns.id',
  'dns.flags.response',
  'dns.flags.opcode',
  'dns.flags.authoritative',
  'dns.flags.truncated',
  'dns.flags.recdesired',
  'dns.flags.recavail',
  'dns.flags.z',
  'dns.flags.rcode',
  'dns.qry.name',
  'dns.qry.type',
  'dns.qry.class',
  'dns.count.queries',
  'dns.count.answers',
  'dns.resp.name',
  'dns.resp.type',
  'dns.resp.len',
  'dns.resp.ttl',
  'dns.a',
  'dns.aaaa',
  'dns.cname',
  'dns.ptr.domain_name',
  'dns.ns',
  'dns.mx.mail_exchange',
  'dns.srv.service',
  'dns.srv.proto',
  'dns.srv.name',
  'dns.srv.target',
  'dns.txt',
  'dns.txt.length',
  'nbns.id',
  'nbns.flags.response',
  'nbns.flags.opcode',
  'nbns.flags.authoritative',
  'nbns.flags.truncated',
  'nbns.flags.recdesired',
  'nbns.flags.recavail',
  'nbns.flags.broadcast',
  'nbns.flags.rcode',
  'nbns.name',
  'nbns.type',
  'nbns.class',
  'nbns.addr',
  'nbns.ttl',
  'http.request.method',
  'http.request.uri',
  'http.request.version',
  'http.host',
  'http.user_agent',
  'http.referer',
  'http.response.code',
  'http.response.phrase',
  'http.response.version',
  'http.content_length_header',
  'http.content_type',
  'http.transfer_encoding',
  'http.chunk_size',
  'http.response.line',
  'tls.handshake.type',
  'tls.handshake.version',
  'tls.handshake.extensions_server_name',
  'tls.handshake.extensions.supported_version',
  'tls.handshake.ciphersuite',
  'tls.handshake.extensions_alpn_str',
  'tls.handshake.extensions_key_share_group',
  'tls.handshake.server_named_curve',
  'tls.record.content_type',
  'tls.record.opaque_type',
  'tls.record.version',
  'tls.alert_message.desc',
  'smtp.req.command',
  'smtp.req.parameter',
  'smtp.response.code',
  'smtp.rsp.parameter',
  'smtp.data.fragment.count',
  'imf.date',
  'imf.from',
  'imf.to',
  'imf.cc',
  'imf.reply_to',
  'imf.message_id',
  'imf.in_reply_to',
  'imf.subject',
  'imf.ext.mailer',
  'imf.user_agent',
  'imf.extension.type',
  'imf.extension.value',
  'imf.content.type',
  'imf.received',
  'mime_multipart.header.content-type',
  'mime_multipart.header.content-disposition',
  'ftp.request.command',
  'ftp.request.arg',
  'ftp.response.code',
  'ftp.response.arg',
  'ftp.passive.ip',
  'ftp.passive.port',
  'ftp.active.cip',
  'ftp.active.port',
] as const;

export type FieldName = (typeof FIELDS)[number];

const FIELD_INDEX = new Map<string, number>(FIELDS.map((name, index) => [name, index]));

/** One packet as tshark printed it: every requested field with all its occurrences. */
export class PacketRow {
  private constructor(private readonly values: string[]) {}

  /** Splits one output line; returns null for lines that do not have one column per field. */
  static parse(line: string): PacketRow | null {
    const values = line.split(FIELD_SEPARATOR);
    if (values.length !== FIELDS.length) return null;
    return new PacketRow(values);
  }

  /** Returns the first occurrence of a field, or undefined when the packet has none. */
  first(name: FieldName): string | undefined {
    const text = this.values[FIELD_INDEX.get(name)!];
    if (text === undefined || text === '') return undefined;
    const end = text.indexOf(OCCURRENCE_SEPARATOR);
    return end === -1 ? text : text.slice(0, end);
  }

  /** Returns the last occurrence, which for nested headers (tunnels) is the innermost. */
  last(name: FieldName): string | undefined {
    const list = this.all(name);
    return list.length === 0 ? undefined : list[list.length - 1];
  }

  all(name: FieldName): string[] {
    const text = this.values[FIELD_INDEX.get(name)!];
    if (text === undefined || text === '') return [];
    return text.split(OCCURRENCE_SEPARATOR);
  }

  has(name: FieldName): boolean {
    return this.first(name) !== undefined;
  }

  firstNumber(name: FieldName): number | undefined {
    const text = this.first(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    return Number.isFinite(value) ? value : undefined;
  }

  numbers(name: FieldName): number[] {
    return this.all(name).map(Number);
  }
}

/** Arguments that make tshark print FIELDS in the format PacketRow.parse reads. */
export function fieldArguments(): string[] {
  const args = ['-T', 'fields', '-E', 'header=n', '-E', 'quote=n', '-E', 'occurrence=a'];
  args.push('-E', `separator=${FIELD_SEPARATOR}`, '-E', `aggregator=${OCCURRENCE_SEPARATOR}`);
  for (const field of FIELDS) args.push('-e', field);
  return args;
}
