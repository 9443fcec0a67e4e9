import { isIP } from 'node:net';

/** Kinds of entity the analysis keeps. A host is an IP address. */
export type EntityKind = 'host' | 'domain' | 'email' | 'url' | 'file' | 'user_agent';

export const ENTITY_KINDS: readonly EntityKind[] = ['host', 'domain', 'email', 'url', 'file', 'user_agent'];

/**
 * Kinds of relation, always read as "source <kind> target". The pairs are:
 * - host queried domain, domain resolved_to host, domain alias_of domain (a CNAME);
 * - host connected host, with port, protocol and service as detail;
 * - host reached_tls domain, host reached_http domain, host requested url, host used_agent user_agent;
 * - email mailed email, with the mail server as detail, and email address_in domain;
 * - host downloaded file, host uploaded file.
 */
export type RelationKind =
  | 'queried'
  | 'resolved_to'
  | 'alias_of'
  | 'connected'
  | 'reached_tls'
  | 'reached_http'
  | 'requested'
  | 'used_agent'
  | 'mailed'
  | 'address_in'
  | 'downloaded'
  | 'uploaded';

export interface EntityRef {
  kind: EntityKind;
  value: string;
}

export interface RelationRef {
  kind: RelationKind;
  source: EntityRef;
  target: EntityRef;
  detail: string;
  bytes: number;
}

/** The entities one event mentions and the relations it shows. */
export interface Extraction {
  entities: EntityRef[];
  relations: RelationRef[];
}

type ZeekRecord = Record<string, unknown>;

/** Reads the entities and relations out of one Zeek record of the given log type. */
export function extractFromRecord(log: string, record: ZeekRecord): Extraction {
  const out: Extraction = { entities: [], relations: [] };
  const origin = host(text(record['id.orig_h']));
  const responder = host(text(record['id.resp_h']));
  if (origin) out.entities.push(origin);
  if (responder) out.entities.push(responder);

  switch (log) {
    case 'conn':
      extractConn(record, origin, responder, out);
      break;
    case 'dns':
      extractDns(record, origin, out);
      break;
    case 'http':
      extractHttp(record, origin, responder, out);
      break;
    case 'ssl':
      extractTls(record, origin, out);
      break;
    case 'x509':
      extractCertificate(record, out);
      break;
    case 'smtp':
      extractSmtp(record, responder, out);
      break;
    case 'files':
      extractFile(record, out);
      break;
    case 'ftp':
      extractFtp(record, origin, out);
      break;
  }
  return out;
}

function extractConn(record: ZeekRecord, origin: EntityRef | null, responder: EntityRef | null, out: Extraction): void {
  if (!origin || !responder) return;
  const bytes = num(record.orig_bytes) + num(record.resp_bytes);
  out.relations.push({ kind: 'connected', source: origin, target: responder, detail: connectionDetail(record), bytes });
}

/** "443/tcp ssl": responder port, transport protocol and the service Zeek recognised, if any. */
export function connectionDetail(record: ZeekRecord): string {
  const port = record['id.resp_p'];
  const proto = text(record.proto);
  const service = text(record.service);
  const base = port === undefined ? (proto ?? '') : `${String(port)}/${proto ?? '?'}`;
  return service ? `${base} ${service}` : base;
}

function extractDns(record: ZeekRecord, origin: EntityRef | null, out: Extraction): void {
  const query = domain(text(record.query));
  if (!query) return;
  out.entities.push(query);
  if (origin) out.relations.push({ kind: 'queried', source: origin, target: query, detail: text(record.qtype_name) ?? '', bytes: 0 });

  for (const answer of list(record.answers)) {
    const address = host(answer);
    if (address) {
      out.entities.push(address);
      out.relations.push({ kind: 'resolved_to', source: query, target: address, detail: '', bytes: 0 });
      continue;
    }
    const alias = domain(answer);
    if (alias && alias.value !== query.value) {
      out.entities.push(alias);
      out.relations.push({ kind: 'alias_of', source: query, target: alias, detail: '', bytes: 0 });
    }
  }
}

function extractHttp(record: ZeekRecord, origin: EntityRef | null, responder: EntityRef | null, out: Extraction): void {
  const hostHeader = text(record.host);
  const site = hostHeader ? hostOrDomain(stripPort(hostHeader)) : null;
  const uri = text(record.uri);
  const agent = text(record.user_agent);
  const bytes = num(record.request_body_len) + num(record.response_body_len);

  if (site) {
    out.entities.push(site);
    if (origin && site.kind === 'domain') out.relations.push({ kind: 'reached_http', source: origin, target: site, detail: text(record.method) ?? '', bytes });
  }
  const address = site?.value ?? responder?.value;
  if (address && uri) {
    const url: EntityRef = { kind: 'url', value: httpUrl(address, uri, record['id.resp_p']) };
    out.entities.push(url);
    if (origin) out.relations.push({ kind: 'requested', source: origin, target: url, detail: text(record.method) ?? '', bytes });
  }
  if (agent) {
    const userAgent: EntityRef = { kind: 'user_agent', value: agent };
    out.entities.push(userAgent);
    if (origin) out.relations.push({ kind: 'used_agent', source: origin, target: userAgent, detail: '', bytes: 0 });
  }
}

function extractTls(record: ZeekRecord, origin: EntityRef | null, out: Extraction): void {
  const serverName = domain(text(record.server_name));
  if (serverName) {
    out.entities.push(serverName);
    if (origin) out.relations.push({ kind: 'reached_tls', source: origin, target: serverName, detail: text(record.version) ?? '', bytes: 0 });
  }
  // ssl.log before Zeek 6 carries the leaf certificate's subject itself.
  const subjectName = domain(commonName(text(record.subject)));
  if (subjectName) out.entities.push(subjectName);
}

function extractCertificate(record: ZeekRecord, out: Extraction): void {
  const names = [commonName(text(record['certificate.subject'])), ...list(record['san.dns'])];
  for (const name of names) {
    const entity = domain(name?.replace(/^\*\./, '') ?? null);
    if (entity) out.entities.push(entity);
  }
}

function extractSmtp(record: ZeekRecord, server: EntityRef | null, out: Extraction): void {
  const sender = email(text(record.mailfrom)) ?? email(text(record.from));
  const recipients = list(record.rcptto).map(email).filter((entry): entry is EntityRef => entry !== null);
  if (recipients.length === 0) recipients.push(...list(record.to).map(email).filter((entry): entry is EntityRef => entry !== null));

  for (const address of sender ? [sender, ...recipients] : recipients) {
    out.entities.push(address);
    const mailDomain = domain(address.value.slice(address.value.lastIndexOf('@') + 1));
    if (mailDomain) {
      out.entities.push(mailDomain);
      out.relations.push({ kind: 'address_in', source: address, target: mailDomain, detail: '', bytes: 0 });
    }
  }
  if (!sender) return;
  for (const recipient of recipients) {
    out.relations.push({ kind: 'mailed', source: sender, target: recipient, detail: server?.value ?? '', bytes: 0 });
  }
}

function extractFile(record: ZeekRecord, out: Extraction): void {
  const hash = text(record.sha256) ?? text(record.sha1) ?? text(record.md5);
  if (!hash) return;
  const file: EntityRef = { kind: 'file', value: hash.toLowerCase() };
  out.entities.push(file);

  // Zeek 5.1 and later log the connection of a file; older versions list tx_hosts and rx_hosts.
  const isOrig = record.is_orig;
  const origin = host(text(record['id.orig_h']));
  const sender = list(record.tx_hosts).map(host)[0] ?? (isOrig === true ? origin : host(text(record['id.resp_h'])));
  const receiver = list(record.rx_hosts).map(host)[0] ?? (isOrig === true ? host(text(record['id.resp_h'])) : origin);
  const bytes = num(record.seen_bytes);
  const source = text(record.source) ?? '';
  if (receiver) {
    out.entities.push(receiver);
    out.relations.push({ kind: 'downloaded', source: receiver, target: file, detail: source, bytes });
  }
  if (sender && isOrig === true) {
    out.entities.push(sender);
    out.relations.push({ kind: 'uploaded', source: sender, target: file, detail: source, bytes });
  }
}

function extractFtp(record: ZeekRecord, origin: EntityRef | null, out: Extraction): void {
  const argument = text(record.arg);
  if (!argument || !argument.startsWith('ftp://')) return;
  const url: EntityRef = { kind: 'url', value: argument };
  out.entities.push(url);
  if (origin) out.relations.push({ kind: 'requested', source: origin, target: url, detail: text(record.command) ?? '', bytes: num(record.file_size) });
}

const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z][a-z0-9-]{0,62}$/;

/** Returns a host entity when the value is an IP address, with brackets removed. */
export function host(value: string | null): EntityRef | null {
  if (!value) return null;
  const bare = value.replace(/^\[|\]$/g, '');
  return isIP(bare) ? { kind: 'host', value: bare.toLowerCase() } : null;
}

/** Returns a domain entity when the value is a plausible DNS name, lowercased and without a trailing dot. */
export function domain(value: string | null): EntityRef | null {
  if (!value) return null;
  const name = value.trim().toLowerCase().replace(/\.$/, '');
  if (isIP(name) || !DOMAIN_PATTERN.test(name)) return null;
  // Reverse-lookup names describe an address, not a site.
  if (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa')) return null;
  return { kind: 'domain', value: name };
}

function hostOrDomain(value: string): EntityRef | null {
  return host(value) ?? domain(value);
}

/** Returns an email entity from "Name <a@b.c>", "<a@b.c>" or "a@b.c". */
export function email(value: string | null): EntityRef | null {
  if (!value) return null;
  const match = /<([^<>\s]+@[^<>\s]+)>/.exec(value) ?? /^\s*([^<>\s"]+@[^<>\s"]+)\s*$/.exec(value);
  if (!match) return null;
  return { kind: 'email', value: match[1]!.toLowerCase() };
}

function commonName(subject: string | null): string | null {
  if (!subject) return null;
  return /(?:^|,)CN=([^,]+)/.exec(subject)?.[1] ?? null;
}

function stripPort(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return colon > 0 && hostHeader.indexOf(':') === colon ? hostHeader.slice(0, colon) : hostHeader;
}

function httpUrl(site: string, uri: string, port: unknown): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return uri;
  const portText = typeof port === 'number' && port !== 80 ? `:${port}` : '';
  const siteText = site.includes(':') && !site.startsWith('[') ? `[${site}]` : site;
  return `http://${siteText}${portText}${uri.startsWith('/') ? '' : '/'}${uri}`;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' && value !== '-' ? value : null;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}
