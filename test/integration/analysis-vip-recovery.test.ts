import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenCase } from '../../main/case/case-folder.js';
import { createTsharkEngine } from '../../main/engines/tshark.js';
import { runDetections, type FindingsResult } from '../../main/analysis/findings.js';
import { buildGraph } from '../../main/analysis/graph.js';
import { countEvents, searchEvents } from '../../main/analysis/event-search.js';
import { loadRules } from '../../main/analysis/rules.js';
import { buildTimeline } from '../../main/analysis/timeline.js';
import { isoToMicros } from '../../main/time.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { caseWithLogs } from '../helpers/analysis-case.js';

interface Expected {
  client: { ip: string };
  dns_server: { ip: string };
  domains: string[];
  server_addresses: Record<string, string[]>;
  dns_queries: { ts: string; query: string }[];
  smtp_sessions: { conn_ts: string; mail_from: string; rcpt_to: string[] }[];
}

const SCENARIO = sharedPath('scenarios/vip-recovery');

describeWithShared('analysis of the vip-recovery capture', () => {
  let expected: Expected;
  let workDir: string;
  let opened: OpenCase;
  let result: FindingsResult;
  const micros = (iso: string): number => isoToMicros(iso)!;
  const queryTime = (name: string): number => micros(expected.dns_queries.find((query) => query.query === name)!.ts);

  beforeAll(async () => {
    expected = JSON.parse(readFileSync(join(SCENARIO, 'expected.json'), 'utf8')) as Expected;
    workDir = mkdtempSync(join(tmpdir(), 'netcase-vip-'));
    const run = await createTsharkEngine().run({
      capturePath: join(SCENARIO, 'vip-recovery.pcap'),
      outputDir: workDir,
      signal: new AbortController().signal,
      allowBadChecksums: false,
    });
    opened = await caseWithLogs(run.logFiles);
    result = runDetections(opened.db, { rules: loadRules() });
  });

  afterAll(() => {
    opened?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('graph holds client, resolver, domains and mail addresses', () => {
    const graph = buildGraph(opened.db, {});
    const node = (kind: string, value: string) => graph.nodes.find((candidate) => candidate.kind === kind && candidate.value === value);
    expect(node('host', expected.client.ip)?.internal).toBe(true);
    expect(node('host', expected.dns_server.ip)?.internal).toBe(true);
    const client = node('host', expected.client.ip)!;
    for (const name of expected.domains) {
      const domainNode = node('domain', name);
      expect(domainNode, name).toBeDefined();
      expect(graph.edges.some((candidate) => candidate.kind === 'queried' && candidate.source === client.id && candidate.target === domainNode!.id), `${name} queried`).toBe(true);
      for (const address of expected.server_addresses[name]!) {
        const addressNode = node('host', address);
        expect(addressNode?.internal, address).toBe(false);
        expect(graph.edges.some((candidate) => candidate.kind === 'resolved_to' && candidate.source === domainNode!.id && candidate.target === addressNode!.id), `${name} → ${address}`).toBe(true);
      }
    }
    const sender = node('email', expected.smtp_sessions[0]!.mail_from)!;
    const recipient = node('email', expected.smtp_sessions[0]!.rcpt_to[0]!)!;
    const mailed = graph.edges.find((candidate) => candidate.kind === 'mailed' && candidate.source === sender.id && candidate.target === recipient.id);
    expect(mailed?.count).toBe(expected.smtp_sessions.length);
  });

  it('finds lookups, staging, Telegram and SMTP exfiltration', () => {
    const rule = (id: string) => result.findings.filter((finding) => finding.rule === id);

    expect(rule('public-ip-lookup-burst')).toHaveLength(1);
    expect(rule('public-ip-lookup-burst')[0]!.entities).toContainEqual({ kind: 'domain', value: 'checkip.dyndns.org' });
    expect(rule('geolocation-lookup')[0]?.entities).toContainEqual({ kind: 'domain', value: 'reallyfreegeoip.org' });
    const staging = rule('cloud-storage-staging')[0]!;
    expect(staging.entities).toContainEqual({ kind: 'domain', value: 'firebasestorage.googleapis.com' });
    expect(staging.entities).toContainEqual({ kind: 'domain', value: '1zil1.s3.cubbit.eu' });
    expect(rule('messaging-api-from-endpoint')[0]?.entities).toContainEqual({ kind: 'domain', value: 'api.telegram.org' });
    const smtp = rule('smtp-from-endpoint')[0]!;
    expect(smtp.flags).toContain('exposed-credentials');
    expect(smtp.severity).toBe('high');
    expect(smtp.entities).toContainEqual({ kind: 'email', value: expected.smtp_sessions[0]!.mail_from });
  });

  it('orders stages with the expected times', () => {
    expect(result.stages.map((stage) => stage.title)).toEqual(['Staging', 'IP discovery', 'Geolocation', 'C2 channel', 'Exfiltration']);
    const first = Object.fromEntries(result.stages.map((stage) => [stage.stage, stage.first]));
    expect(first.staging).toBe(queryTime('firebasestorage.googleapis.com'));
    expect(first.discovery).toBe(queryTime('checkip.dyndns.org'));
    expect(first.geolocation).toBe(queryTime('reallyfreegeoip.org'));
    expect(first['command-and-control']).toBe(queryTime('api.telegram.org'));
    expect(first.exfiltration).toBe(micros(expected.smtp_sessions[0]!.conn_ts));
  });

  it('suggests the external indicators only', () => {
    const values = result.suggestedIocs.map((ioc) => ioc.value);
    expect(values).toContain('api.telegram.org');
    expect(values).toContain('198.51.100.25');
    expect(values).not.toContain(expected.client.ip);
  });

  it('narrows findings and graph to the window', () => {
    const from = micros('2026-01-09T18:04:50Z');
    const to = micros('2026-01-09T18:05:00Z');
    const windowed = runDetections(opened.db, { from, to, rules: loadRules() });
    const rules = new Set(windowed.findings.map((finding) => finding.rule));
    expect(rules.has('messaging-api-from-endpoint')).toBe(true);
    expect(rules.has('smtp-from-endpoint')).toBe(false);
    expect(rules.has('cloud-storage-staging')).toBe(false);
    for (const finding of windowed.findings) {
      expect(finding.first!).toBeGreaterThanOrEqual(from);
      expect(finding.last!).toBeLessThan(to);
    }

    const graph = buildGraph(opened.db, { from, to });
    const values = new Set(graph.nodes.map((node) => node.value));
    expect(values.has('api.telegram.org')).toBe(true);
    expect(values.has('jump@eraqron.shop')).toBe(false);
    expect(values.has('firebasestorage.googleapis.com')).toBe(false);
  });

  it('host search includes the DNS answers', () => {
    for (const [name, addresses] of Object.entries(expected.server_addresses)) {
      for (const address of addresses) {
        const search = { entity: { kind: 'host' as const, value: address } };
        const found = searchEvents(opened.db, search);
        const mentions = opened.db.prepare(`SELECT count FROM entities WHERE kind = 'host' AND value = ?`).pluck().get(address);
        expect(found.events.map((event) => event.log), address).toContain('dns');
        expect(found.events.some((event) => event.log === 'dns' && event.record.includes(name)), address).toBe(true);
        expect(found.events, address).toHaveLength(mentions as number);
        expect(countEvents(opened.db, search), address).toBe(mentions);
      }
    }
  });

  it('timeline counts match the events in each window', () => {
    const countIn = (from: number, to: number) => opened.db.prepare('SELECT COUNT(*) FROM events WHERE ts >= ? AND ts < ?').pluck().get(from, to) as number;
    const windows: [string, string][] = [
      ['2026-01-09T18:04:43.417000Z', '2026-01-09T18:05:06.768748Z'],
      ['2026-01-09T18:04:43.500000Z', '2026-01-09T18:04:53.700000Z'],
      ['2026-01-09T18:04:48.444039Z', '2026-01-09T18:04:48.444040Z'],
      ['2026-01-09T18:04:00Z', '2026-01-09T18:06:00Z'],
      ['2026-01-09T18:04:49.9Z', '2026-01-09T18:05:01.2Z'],
    ];
    for (const [fromIso, toIso] of windows) {
      for (const buckets of [1, 7, 60]) {
        const timeline = buildTimeline(opened.db, { from: micros(fromIso), to: micros(toIso), buckets });
        expect(timeline.total, `${fromIso}..${toIso} in ${buckets}`).toBe(countIn(micros(fromIso), micros(toIso)));
        expect(timeline.buckets.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(timeline.total);
      }
    }
    const whole = buildTimeline(opened.db, {});
    expect(whole.total).toBe(opened.db.prepare('SELECT COUNT(*) FROM events WHERE ts IS NOT NULL').pluck().get());
    expect(whole.bucketSeconds).toBe(1);
    expect(whole.logs).toEqual(['conn', 'dns', 'files', 'http', 'smtp', 'ssl']);
  });
});
