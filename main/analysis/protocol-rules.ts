import { isIP } from 'node:net';
import { domain, email, type EntityRef } from './extract.js';
import { newFinding, uniqueEntities, withTimes, type DetectionContext, type Finding } from './detection-context.js';
import type { RuleOfType } from './rules.js';

interface LogEvent {
  id: number;
  ts: number | null;
  uid: string | null;
  orig_h: string | null;
  resp_h: string | null;
  resp_p: number | null;
  record: Record<string, unknown>;
}

/** Parsed events per findings run and log type, because several rules read the same logs. */
const parsedLogs = new WeakMap<DetectionContext, Map<string, LogEvent[]>>();

/** Returns the events of one log type in the window with their records parsed. */
function eventsOfLog(context: DetectionContext, log: string, extra = '', extraParams: unknown[] = []): LogEvent[] {
  let cache = parsedLogs.get(context);
  if (!cache) parsedLogs.set(context, (cache = new Map()));
  const cached = extra === '' ? cache.get(log) : undefined;
  if (cached) return cached;

  const window = context.windowFilter();
  const rows = context.db
    .prepare(`SELECT e.id, e.ts, e.uid, e.orig_h, e.resp_h, e.resp_p, e.record FROM events e WHERE e.log = ?${window.sql}${extra} ORDER BY e.ts, e.id`)
    .all(log, ...window.params, ...extraParams) as (Omit<LogEvent, 'record'> & { record: string })[];
  const events = rows.map((row) => ({ ...row, record: JSON.parse(row.record) as Record<string, unknown> }));
  if (extra === '') cache.set(log, events);
  return events;
}

/**
 * SMTP sessions from hosts that are not mail servers, one finding per client and server. A
 * host counts as a mail server when it is listed in the rule or itself receives SMTP on port
 * 25. Zeek's smtp.log has no AUTH field, so credentials are judged from what the logs hold.
 * An auth field written by an engine that parses the AUTH command decides it. Without one, a
 * session on the submission port without TLS counts, because such servers require AUTH
 * before they accept mail.
 */
export function detectSmtpSubmission(context: DetectionContext, rule: RuleOfType<'smtp-submission'>): Finding[] {
  const { db } = context;
  const receivers = new Set(
    db
      .prepare(`SELECT t.value FROM relations r JOIN entities t ON t.id = r.target_id WHERE r.kind = 'connected' AND r.detail LIKE '25/%'`)
      .pluck()
      .all() as string[],
  );
  const isMailServer = (address: string): boolean => rule.mailServers.includes(address);

  const sessions = new Map<string, { client: string; server: string; events: LogEvent[]; smtp: LogEvent[] }>();
  const add = (event: LogEvent, isSmtp: boolean): void => {
    if (!event.orig_h || !event.resp_h || isMailServer(event.orig_h) || receivers.has(event.orig_h)) return;
    const key = `${event.orig_h}>${event.resp_h}`;
    let session = sessions.get(key);
    if (!session) sessions.set(key, (session = { client: event.orig_h, server: event.resp_h, events: [], smtp: [] }));
    session.events.push(event);
    if (isSmtp) session.smtp.push(event);
  };

  const ports = rule.ports.map(() => '?').join(', ');
  for (const event of eventsOfLog(context, 'conn', ` AND e.resp_p IN (${ports})`, rule.ports)) add(event, false);
  for (const event of eventsOfLog(context, 'smtp')) add(event, true);

  const findings: Finding[] = [];
  for (const session of sessions.values()) {
    const entities: EntityRef[] = [
      { kind: 'host', value: session.client },
      { kind: 'host', value: session.server },
    ];
    for (const event of session.smtp) {
      const addresses = [email(text(event.record.mailfrom)), ...list(event.record.rcptto).map(email)];
      for (const address of addresses) {
        if (!address) continue;
        entities.push(address);
        const mailDomain = domain(address.value.slice(address.value.lastIndexOf('@') + 1));
        if (mailDomain) entities.push(mailDomain);
      }
    }
    const finding = newFinding(rule, `${session.client}>${session.server}`, { entities: uniqueEntities(entities), eventIds: session.events.map((event) => event.id) });
    const portsUsed = [...new Set(session.events.map((event) => event.resp_p).filter((port): port is number => port !== null))].sort((a, b) => a - b);
    const mails = session.smtp.filter((event) => text(event.record.mailfrom) !== null).length;
    finding.notes.push(`${session.client} spoke SMTP to ${session.server} on port ${portsUsed.join(', ')}; ${mails} messages were sent.`);
    judgeCredentials(rule, session.smtp, portsUsed, finding);
    findings.push(withTimes(finding, session.events.map((event) => event.ts)));
  }
  return findings;
}

function judgeCredentials(rule: RuleOfType<'smtp-submission'>, smtp: LogEvent[], ports: number[], finding: Finding): void {
  const authEvents = smtp.filter((event) => authMechanism(event.record) !== null);
  const tls = smtp.some((event) => event.record.tls === true) || ports.every((port) => rule.implicitTlsPorts.includes(port));
  if (authEvents.length > 0 && !tls) {
    const mechanisms = [...new Set(authEvents.map((event) => authMechanism(event.record)))].join(', ');
    finding.flags.push('exposed-credentials');
    finding.severity = 'high';
    finding.title = `${rule.title}, credentials sent in plain text`;
    finding.notes.push(`AUTH ${mechanisms} was sent without TLS, so the username and password can be read from the capture.`);
    return;
  }
  const mailSent = smtp.some((event) => text(event.record.mailfrom) !== null);
  if (!tls && mailSent && ports.includes(587)) {
    finding.flags.push('exposed-credentials');
    finding.title = `${rule.title}, credentials likely sent in plain text`;
    finding.notes.push('Mail was accepted on the submission port 587 without TLS. Submission servers require AUTH before accepting mail, so the credentials most likely crossed in plain text; the logs hold no AUTH field to confirm it.');
  }
}

/** Returns the AUTH mechanism an engine recorded for the session, or null. Field names vary by writer. */
function authMechanism(record: Record<string, unknown>): string | null {
  for (const key of ['auth_mechanism', 'auth.mechanism', 'auth']) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value.toUpperCase();
    if (value === true) return 'AUTH';
  }
  return null;
}

/** Reports FTP uploads (STOR and the like) from internal hosts, one finding per client. */
export function detectFtpUpload(context: DetectionContext, rule: RuleOfType<'ftp-upload'>): Finding[] {
  const commands = new Set(rule.commands.map((command) => command.toUpperCase()));
  const byClient = new Map<string, LogEvent[]>();
  for (const event of eventsOfLog(context, 'ftp')) {
    const command = text(event.record.command)?.toUpperCase();
    if (!command || !commands.has(command) || !event.orig_h || !context.networks.isInternal(event.orig_h)) continue;
    const group = byClient.get(event.orig_h) ?? [];
    group.push(event);
    byClient.set(event.orig_h, group);
  }
  return [...byClient].map(([client, events]) => {
    const entities: EntityRef[] = [{ kind: 'host', value: client }];
    for (const event of events) {
      if (event.resp_h) entities.push({ kind: 'host', value: event.resp_h });
      const argument = text(event.record.arg);
      if (argument?.startsWith('ftp://')) entities.push({ kind: 'url', value: argument });
    }
    const finding = newFinding(rule, client, { entities: uniqueEntities(entities), eventIds: events.map((event) => event.id) });
    finding.notes.push(`${events.length} files stored on FTP servers.`);
    return withTimes(finding, events.map((event) => event.ts));
  });
}

/**
 * Reports HTTP requests with a body (POST, PUT) to hosts that few requests and few clients in
 * the whole case reach, one finding per client and host.
 */
export function detectHttpFormPost(context: DetectionContext, rule: RuleOfType<'http-form-post'>): Finding[] {
  const { db } = context;
  const methods = new Set(rule.methods.map((method) => method.toUpperCase()));
  const countByAddress = db.prepare(`SELECT COUNT(*) AS requests, COUNT(DISTINCT orig_h) AS clients FROM events WHERE log = 'http' AND resp_h = ?`);
  const countByDomain = db.prepare(`SELECT COUNT(*) AS requests, COUNT(DISTINCT e.orig_h) AS clients FROM entity_events ee JOIN entities n ON n.id = ee.entity_id
    JOIN events e ON e.id = ee.event_id WHERE n.kind = 'domain' AND n.value = ? AND e.log = 'http'`);
  const rarity = new Map<string, { requests: number; clients: number }>();

  const groups = new Map<string, { client: string; site: string; events: LogEvent[]; fileUpload: boolean }>();
  // SQLite's JSON functions pick out candidate requests before any record is parsed here.
  const methodList = [...methods];
  const candidates = ` AND upper(json_extract(e.record, '$.method')) IN (${methodList.map(() => '?').join(', ')}) AND json_extract(e.record, '$.request_body_len') > 0`;
  for (const event of eventsOfLog(context, 'http', candidates, methodList)) {
    const method = text(event.record.method)?.toUpperCase();
    if (!method || !methods.has(method) || num(event.record.request_body_len) <= 0 || !event.orig_h) continue;
    const site = (text(event.record.host) ?? event.resp_h ?? '').toLowerCase().replace(/:\d+$/, '');
    if (!site) continue;

    let seen = rarity.get(site);
    if (!seen) {
      seen = (isIP(site) ? countByAddress.get(site) : countByDomain.get(site)) as { requests: number; clients: number };
      rarity.set(site, seen);
    }
    if (seen.requests > rule.maxHostRequests || seen.clients > rule.maxHostClients) continue;

    const key = `${event.orig_h}>${site}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { client: event.orig_h, site, events: [], fileUpload: false }));
    group.events.push(event);
    if (list(event.record.orig_filenames).length > 0 || list(event.record.orig_fuids).length > 1) group.fileUpload = true;
  }

  return [...groups.values()].map((group) => {
    const entities: EntityRef[] = [{ kind: 'host', value: group.client }, isIP(group.site) ? { kind: 'host', value: group.site } : { kind: 'domain', value: group.site }];
    for (const event of group.events) {
      if (event.resp_h) entities.push({ kind: 'host', value: event.resp_h });
      const agent = text(event.record.user_agent);
      if (agent) entities.push({ kind: 'user_agent', value: agent });
      const uri = text(event.record.uri);
      if (uri) entities.push({ kind: 'url', value: `http://${group.site}${uri.startsWith('/') ? '' : '/'}${uri}` });
    }
    const finding = newFinding(rule, `${group.client}>${group.site}`, { entities: uniqueEntities(entities), eventIds: group.events.map((event) => event.id) });
    const seen = rarity.get(group.site)!;
    finding.notes.push(`${group.events.length} requests with a body to ${group.site}, which ${seen.requests} HTTP requests from ${seen.clients} clients reach in the whole case.`);
    if (rule.highWhenIpHost && isIP(group.site)) {
      finding.severity = 'high';
      finding.notes.push('The host is a bare IP address, not a name.');
    }
    if (rule.highWhenFileUpload && group.fileUpload) {
      finding.severity = 'high';
      finding.flags.push('file-upload');
      finding.notes.push('The request body carried files (multipart parts).');
    }
    return withTimes(finding, group.events.map((event) => event.ts));
  });
}

/**
 * Reports executables seen in files, HTTP, FTP and PE logs, one finding per receiving host.
 * PE log records name no host, so they are gathered under "unknown host".
 */
export function detectExecutableTransfer(context: DetectionContext, rule: RuleOfType<'executable-transfer'>): Finding[] {
  const mimeTypes = new Set(rule.mimeTypes.map((type) => type.toLowerCase()));
  const hasExtension = (name: string | null): boolean => name !== null && rule.extensions.some((extension) => name.toLowerCase().split(/[?#]/)[0]!.endsWith(extension));
  const groups = new Map<string, { events: LogEvent[]; entities: EntityRef[]; names: Set<string> }>();
  const add = (host: string | null, event: LogEvent, entities: EntityRef[], name: string | null): void => {
    const key = host ?? '';
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { events: [], entities: host ? [{ kind: 'host', value: host }] : [], names: new Set() }));
    group.events.push(event);
    group.entities.push(...entities);
    if (name) group.names.add(name);
  };

  for (const event of eventsOfLog(context, 'files')) {
    const name = text(event.record.filename);
    if (!mimeTypes.has(text(event.record.mime_type)?.toLowerCase() ?? '') && !hasExtension(name)) continue;
    const hash = text(event.record.sha256) ?? text(event.record.sha1) ?? text(event.record.md5);
    const receiver = list(event.record.rx_hosts)[0] ?? (event.record.is_orig === true ? event.resp_h : event.orig_h);
    add(receiver, event, hash ? [{ kind: 'file', value: hash.toLowerCase() }] : [], name);
  }
  // A cheap SQL condition that keeps every candidate request and skips most others: when all
  // MIME types are application/ types and all extensions contain a dot, only those are looked for.
  const mimeCondition = rule.mimeTypes.every((type) => type.toLowerCase().startsWith('application/'))
    ? `json_extract(e.record, '$.resp_mime_types') LIKE '%application/%'`
    : `json_extract(e.record, '$.resp_mime_types') IS NOT NULL`;
  const uriCondition = rule.extensions.every((extension) => extension.includes('.'))
    ? `instr(json_extract(e.record, '$.uri'), '.') > 0`
    : `json_extract(e.record, '$.uri') IS NOT NULL`;
  const candidates = ` AND (${mimeCondition} OR ${uriCondition})`;
  for (const event of eventsOfLog(context, 'http', candidates)) {
    const uri = text(event.record.uri);
    const download = list(event.record.resp_mime_types).some((type) => mimeTypes.has(type.toLowerCase())) || (num(event.record.response_body_len) > 0 && hasExtension(uri));
    if (!download) continue;
    const site = text(event.record.host) ?? event.resp_h;
    add(event.orig_h, event, site && uri ? [{ kind: 'url', value: `http://${site}${uri}` }] : [], uri);
  }
  for (const event of eventsOfLog(context, 'ftp')) {
    const argument = text(event.record.arg);
    const retrieve = text(event.record.command)?.toUpperCase() === 'RETR';
    if (!retrieve || (!hasExtension(argument) && !mimeTypes.has(text(event.record.mime_type)?.toLowerCase() ?? ''))) continue;
    add(event.orig_h, event, argument?.startsWith('ftp://') ? [{ kind: 'url', value: argument }] : [], argument);
  }
  for (const event of eventsOfLog(context, 'pe')) add(null, event, [], text(event.record.machine) ? `PE for ${text(event.record.machine)}` : 'PE file');

  return [...groups].map(([host, group]) => {
    const finding = newFinding(rule, host || 'unknown-host', { entities: uniqueEntities(group.entities), eventIds: group.events.map((event) => event.id) });
    finding.notes.push(`${group.events.length} records of executable files: ${[...group.names].slice(0, 10).join(', ')}.`);
    return withTimes(finding, group.events.map((event) => event.ts));
  });
}

/**
 * Reports top-level domains outside the common list that at most `maxDomains` domains in the
 * window use, one finding per TLD. Listed suspicious TLDs raise the severity to medium.
 */
export function detectRareTld(context: DetectionContext, rule: RuleOfType<'rare-tld'>): Finding[] {
  const common = new Set(rule.commonTlds.map((tld) => tld.toLowerCase()));
  const suspicious = new Set(rule.suspiciousTlds.map((tld) => tld.toLowerCase()));
  const window = context.windowFilter();
  const eventsOf = context.db.prepare(`SELECT e.id, e.ts FROM entity_events ee JOIN events e ON e.id = ee.event_id
    WHERE ee.entity_id = ? AND e.log IN ('dns', 'http', 'ssl')${window.sql}`);

  const byTld = new Map<string, { domains: string[]; events: { id: number; ts: number | null }[] }>();
  for (const row of context.domains()) {
    const tld = row.value.slice(row.value.lastIndexOf('.') + 1);
    if (common.has(tld)) continue;
    const events = eventsOf.all(row.id, ...window.params) as { id: number; ts: number | null }[];
    if (events.length === 0) continue;
    const group = byTld.get(tld) ?? { domains: [], events: [] };
    group.domains.push(row.value);
    group.events.push(...events);
    byTld.set(tld, group);
  }

  const findings: Finding[] = [];
  for (const [tld, group] of byTld) {
    if (group.domains.length > rule.maxDomains) continue;
    const finding = newFinding(rule, tld, { entities: group.domains.map((value) => ({ kind: 'domain', value })), eventIds: group.events.map((event) => event.id).sort((a, b) => a - b) });
    finding.title = `${rule.title}: .${tld}`;
    finding.notes.push(`.${tld} is used by ${group.domains.length} domain(s) in the window: ${group.domains.slice(0, 5).join(', ')}.`);
    if (suspicious.has(tld) && finding.severity !== 'high' && finding.severity !== 'critical') finding.severity = 'medium';
    findings.push(withTimes(finding, group.events.map((event) => event.ts)));
  }
  return findings;
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
