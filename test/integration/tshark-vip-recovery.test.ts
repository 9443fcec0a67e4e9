import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { createTsharkEngine } from '../../main/engines/tshark.js';
import { importLogs } from '../../main/ingest/importer.js';
import { iterateEvents } from '../../main/store/events.js';
import { isoToMicros } from '../../main/time.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

interface ExpectedScenario {
  domains: string[];
  server_addresses: Record<string, string[]>;
  dns_cnames: Record<string, string[]>;
  dns_queries: Array<{ ts: string; query: string; qtype: string; src: string; src_port: number; rcode: string; answers: Array<{ type: string; data: string; ttl: number }> }>;
  sni_list: string[];
  tls_sessions: Array<{ conn_ts: string; sni: string; server_ip: string; server_port: number; client_port: number; version: string; cipher: string }>;
  http_requests: Array<{ host: string; uri: string; method: string; count: number; server_ip: string; user_agent: string; timestamps: string[]; responses: Array<{ status: number }> }>;
  smtp_sessions: Array<{
    conn_ts: string;
    server_ip: string;
    server_port: number;
    client_port: number;
    helo: string;
    mail_from: string;
    rcpt_to: string[];
    subject: string;
    header_from: string;
    header_to: string;
    date: string;
    auth: { mechanism: string };
    attachments: Array<{ filename: string; content_type: string }>;
  }>;
  tcp_connections: Array<{ ts: string; client: string; client_port: number; server: string; port: number; bytes_to_server: number; bytes_to_client: number }>;
}

type Logged = Record<string, unknown>;

const expected = () => JSON.parse(readFileSync(sharedPath('scenarios/vip-recovery/expected.json'), 'utf8')) as ExpectedScenario;

/** Zeek JSON `ts` (epoch seconds) as whole milliseconds, the precision the scenario promises. */
function tsMillis(record: Logged): number {
  return Math.round((record.ts as number) * 1000);
}

function isoMillis(iso: string): number {
  return Math.round(isoToMicros(iso)! / 1000);
}

describeWithShared('tshark engine on the vip-recovery scenario', () => {
  const logs = new Map<string, Logged[]>();

  beforeAll(async () => {
    const outputDir = tempDir();
    const result = await createTsharkEngine().run({
      capturePath: sharedPath('scenarios/vip-recovery/vip-recovery.pcap'),
      outputDir,
      signal: new AbortController().signal,
      allowBadChecksums: true,
    });
    expect(result.warnings).toEqual([]);

    const caseDir = join(tempDir(), 'case');
    createCase(caseDir, { name: 'vip', analyst: 'tester' });
    const opened = openCase(caseDir, { write: true });
    try {
      const summary = await importLogs(opened.db, result.logFiles, { actor: 'tester' });
      expect(summary.skipped).toBe(0);
      for (const event of iterateEvents(opened.db, {})) {
        const list = logs.get(event.log) ?? [];
        list.push(JSON.parse(event.record) as Logged);
        logs.set(event.log, list);
      }
    } finally {
      opened.close();
    }
  }, 60_000);

  const log = (name: string): Logged[] => logs.get(name) ?? [];

  it('imports every log type the capture has', () => {
    expect([...logs.keys()].sort()).toEqual(['conn', 'dns', 'files', 'http', 'smtp', 'ssl']);
  });

  it('finds each DNS query with answers and TTLs', () => {
    const scenario = expected();
    expect(log('dns').map((record) => record.query).sort()).toEqual([...scenario.domains].sort());

    for (const query of scenario.dns_queries) {
      const record = log('dns').find((candidate) => candidate.query === query.query);
      expect(record, query.query).toBeDefined();
      expect(tsMillis(record!), `${query.query} ts`).toBe(isoMillis(query.ts));
      expect(record!.qtype_name, `${query.query} qtype`).toBe(query.qtype);
      expect(record!.rcode_name, `${query.query} rcode`).toBe(query.rcode);
      expect(record!['id.orig_h'], `${query.query} client`).toBe(query.src);
      expect(record!['id.orig_p'], `${query.query} client port`).toBe(query.src_port);
      expect(record!.answers, `${query.query} answers`).toEqual(query.answers.map((answer) => answer.data));
      expect(record!.TTLs, `${query.query} TTLs`).toEqual(query.answers.map((answer) => answer.ttl));
    }
  });

  it('resolves the CNAME and server addresses', () => {
    const scenario = expected();
    for (const [domain, cnames] of Object.entries(scenario.dns_cnames)) {
      const answers = log('dns').find((record) => record.query === domain)?.answers as string[];
      for (const cname of cnames) expect(answers, domain).toContain(cname);
    }
    for (const [domain, addresses] of Object.entries(scenario.server_addresses)) {
      const answers = log('dns').find((record) => record.query === domain)?.answers as string[];
      for (const address of addresses) expect(answers, domain).toContain(address);
    }
  });

  it('logs each TLS session with its SNI', () => {
    const scenario = expected();
    expect(log('ssl').map((record) => record.server_name).sort()).toEqual([...scenario.sni_list].sort());

    for (const session of scenario.tls_sessions) {
      const record = log('ssl').find((candidate) => candidate.server_name === session.sni);
      expect(record, session.sni).toBeDefined();
      expect(tsMillis(record!), `${session.sni} ts`).toBe(isoMillis(session.conn_ts));
      expect(record!['id.resp_h'], `${session.sni} server`).toBe(session.server_ip);
      expect(record!['id.resp_p'], `${session.sni} port`).toBe(session.server_port);
      expect(record!['id.orig_p'], `${session.sni} client port`).toBe(session.client_port);
      expect(record!.version, `${session.sni} version`).toBe(session.version.replace('TLS 1.', 'TLSv1'));
      expect(record!.cipher, `${session.sni} cipher`).toBe(session.cipher);
      expect(record!.established, `${session.sni} established`).toBe(true);
    }
  });

  it('logs the four HTTP requests', () => {
    const [requests] = expected().http_requests;
    const records = log('http');
    expect(records).toHaveLength(requests!.count);

    requests!.timestamps.forEach((ts, index) => {
      const record = records.find((candidate) => tsMillis(candidate) === isoMillis(ts));
      expect(record, ts).toBeDefined();
      expect(record!.method, `${ts} method`).toBe(requests!.method);
      expect(record!.host, `${ts} host`).toBe(requests!.host);
      expect(record!.uri, `${ts} uri`).toBe(requests!.uri);
      expect(record!.user_agent, `${ts} user agent`).toBe(requests!.user_agent);
      expect(record!['id.resp_h'], `${ts} server`).toBe(requests!.server_ip);
      expect(record!.status_code, `${ts} status`).toBe(requests!.responses[index]!.status);
    });
  });

  it('logs both SMTP sessions', () => {
    const sessions = expected().smtp_sessions;
    expect(log('smtp')).toHaveLength(sessions.length);

    for (const session of sessions) {
      const record = log('smtp').find((candidate) => candidate['id.orig_p'] === session.client_port);
      expect(record, `session from port ${session.client_port}`).toBeDefined();
      expect(tsMillis(record!), 'ts').toBe(isoMillis(session.conn_ts));
      expect(record!['id.resp_h'], 'server').toBe(session.server_ip);
      expect(record!['id.resp_p'], 'server port').toBe(session.server_port);
      expect(record!.helo, 'helo').toBe(session.helo);
      expect(record!.mailfrom, 'mailfrom').toBe(session.mail_from);
      expect(record!.rcptto, 'rcptto').toEqual(session.rcpt_to);
      expect(record!.subject, 'subject').toBe(session.subject);
      expect(record!.from, 'from').toBe(session.header_from);
      expect(record!.to, 'to').toEqual([session.header_to]);
      expect(record!.date, 'date').toBe(session.date);
      expect(record!.auth_mechanism, 'auth_mechanism').toBe(session.auth.mechanism);
      expect(record!.tls, 'tls').toBe(false);
    }
  });

  it('lists the mail attachments in files.log', () => {
    for (const session of expected().smtp_sessions) {
      for (const attachment of session.attachments) {
        const file = log('files').find((record) => record.filename === attachment.filename);
        expect(file, attachment.filename).toBeDefined();
        expect(file!.mime_type, `${attachment.filename} type`).toBe(attachment.content_type);
        expect(file!.source, `${attachment.filename} source`).toBe('SMTP');
      }
    }
  });

  it('gives TCP connections with bytes', () => {
    for (const connection of expected().tcp_connections) {
      const record = log('conn').find((candidate) => candidate['id.orig_p'] === connection.client_port && candidate.proto === 'tcp');
      expect(record, `connection from port ${connection.client_port}`).toBeDefined();
      expect(tsMillis(record!), 'ts').toBe(isoMillis(connection.ts));
      expect(record!['id.orig_h'], 'client').toBe(connection.client);
      expect(record!['id.resp_h'], 'server').toBe(connection.server);
      expect(record!['id.resp_p'], 'server port').toBe(connection.port);
      expect(record!.orig_bytes, 'bytes to server').toBe(connection.bytes_to_server);
      expect(record!.resp_bytes, 'bytes to client').toBe(connection.bytes_to_client);
      expect(record!.conn_state, 'state').toBe('SF');
    }
  });

  it('shares one uid per flow', () => {
    const connUids = new Set(log('conn').map((record) => record.uid));
    for (const name of ['dns', 'http', 'ssl', 'smtp', 'files']) {
      for (const record of log(name)) expect(connUids.has(record.uid), `${name} uid ${String(record.uid)}`).toBe(true);
    }
  });
});
