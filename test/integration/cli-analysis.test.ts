import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runNetcase } from '../helpers/cli.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';

describeWithShared('netcase analysis commands', () => {
  const examples = sharedPath('corpus/zeek-logs/zeek-docs-json-examples');
  const workDir = mkdtempSync(join(tmpdir(), 'netcase-cli-analysis-'));
  const dir = join(workDir, 'case');

  beforeAll(() => {
    expect(runNetcase(['case', 'create', dir, '--name', 'Analysis CLI', '--analyst', 'Dana']).status).toBe(0);
    const files = ['conn.ndjson', 'dns.ndjson', 'http.ndjson', 'smtp.ndjson', 'ssl.ndjson'].map((name) => join(examples, name));
    expect(runNetcase(['import-logs', dir, ...files]).status).toBe(0);
  });

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('graph prints nodes and edges', () => {
    const result = runNetcase(['graph', dir, '--json']);
    expect(result.status).toBe(0);
    const graph = JSON.parse(result.stdout) as { nodes: { value: string }[]; edges: { kind: string }[]; more: { edges: number } };
    expect(graph.nodes.map((node) => node.value)).toContain('testmyids.com');
    expect(graph.edges.map((edge) => edge.kind)).toContain('mailed');
    expect(graph.more.edges).toBe(0);

    const capped = JSON.parse(runNetcase(['graph', dir, '--json', '--max-edges', '2']).stdout) as { edges: unknown[]; more: { edges: number } };
    expect(capped.edges).toHaveLength(2);
    expect(capped.more.edges).toBe(graph.edges.length - 2);
  });

  it('timeline totals match the events', () => {
    const timeline = JSON.parse(runNetcase(['timeline', dir, '--json', '--buckets', '10']).stdout) as { total: number; buckets: { total: number }[] };
    const events = runNetcase(['events', dir, '--json']).stdout.trim().split('\n');
    expect(timeline.total).toBe(events.length);
    expect(timeline.buckets.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(events.length);
  });

  it('findings take an analyst rule file', () => {
    const plain = JSON.parse(runNetcase(['findings', dir, '--json']).stdout) as { findings: { rule: string }[] };
    expect(plain.findings.map((finding) => finding.rule)).not.toContain('messaging-api-from-endpoint');

    const rules = join(workDir, 'extra.json');
    writeFileSync(rules, JSON.stringify({ format: 'netcase-rules', version: 1, services: { 'messaging-api': { title: 'test messaging APIs', domains: ['testmyids.com'] } } }));
    const result = runNetcase(['findings', dir, '--json', '--rules', rules]);
    expect(result.status).toBe(0);
    const extended = JSON.parse(result.stdout) as { findings: { rule: string; entities: { value: string }[] }[]; ruleSources: string[] };
    const messaging = extended.findings.find((finding) => finding.rule === 'messaging-api-from-endpoint');
    expect(messaging?.entities.map((entity) => entity.value)).toContain('192.168.4.76');
    expect(extended.ruleSources.at(-1)).toBe(rules);
  });

  it('search finds events by entity and text', () => {
    const byEntity = JSON.parse(runNetcase(['search', dir, '--json', '--entity', 'domain:testmyids.com']).stdout) as { total: number; events: { log: string }[] };
    expect(byEntity.total).toBeGreaterThan(0);
    expect(byEntity.events.every((event) => event.log === 'http' || event.log === 'dns')).toBe(true);

    const byHost = JSON.parse(runNetcase(['search', dir, '--json', '--entity', 'host:192.168.4.76']).stdout) as { total: number };
    const byIp = JSON.parse(runNetcase(['search', dir, '--json', '--entity', 'ip:192.168.4.76']).stdout) as { total: number };
    expect(byHost.total).toBeGreaterThan(0);
    expect(byIp.total).toBe(byHost.total);

    const byText = JSON.parse(runNetcase(['search', dir, '--json', '--text', 'taosecurity', '--log', 'ssl']).stdout) as { total: number };
    expect(byText.total).toBeGreaterThan(0);
  });

  it('reindex keeps the graph and audits', () => {
    const before = JSON.parse(runNetcase(['graph', dir, '--json']).stdout) as { edges: { kind: string; count: number }[] };
    const auditEntries = () => (JSON.parse(runNetcase(['audit', 'verify', dir, '--json']).stdout) as { ok: boolean; entries: number }).entries;
    const entriesBefore = auditEntries();
    const result = runNetcase(['reindex', dir]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Indexed \d+ events: \d+ entities, \d+ relations/);

    const after = JSON.parse(runNetcase(['graph', dir, '--json']).stdout) as { edges: { kind: string; count: number }[] };
    const summary = (graph: typeof before) => graph.edges.map((edge) => `${edge.kind} ${edge.count}`).sort();
    expect(summary(after)).toEqual(summary(before));
    const audit = runNetcase(['audit', 'verify', dir]);
    expect(audit.status).toBe(0);
    expect(auditEntries()).toBe(entriesBefore + 1);
  });

  it('saves local networks with the case', () => {
    const internalOf = (value: string, extra: string[] = []): boolean | undefined => {
      const graph = JSON.parse(runNetcase(['graph', dir, '--json', ...extra]).stdout) as { nodes: { value: string; internal?: boolean }[] };
      return graph.nodes.find((node) => node.value === value)?.internal;
    };
    expect(JSON.parse(runNetcase(['networks', dir, '--json']).stdout)).toMatchObject({ saved: false, networks: expect.arrayContaining(['10.0.0.0/8']) });
    expect(internalOf('31.3.245.133')).toBe(false);

    const saved = runNetcase(['networks', dir, '--set', '31.3.245.0/24,192.168.0.0/16', '--json']);
    expect(saved.status).toBe(0);
    expect(JSON.parse(saved.stdout)).toEqual({ saved: true, networks: ['31.3.245.0/24', '192.168.0.0/16'] });
    expect(internalOf('31.3.245.133')).toBe(true);
    expect(internalOf('192.168.4.76')).toBe(true);
    expect(internalOf('31.3.245.133', ['--local-net', '10.0.0.0/8'])).toBe(false);

    const rejected = runNetcase(['networks', dir, '--set', '31.3.245.0/40']);
    expect(rejected.status).not.toBe(0);
    expect(rejected.stderr).toContain('"31.3.245.0/40" is not a network');
    expect(internalOf('31.3.245.133')).toBe(true);

    expect(JSON.parse(runNetcase(['networks', dir, '--reset', '--json']).stdout)).toMatchObject({ saved: false });
    expect(internalOf('31.3.245.133')).toBe(false);
    const audit = runNetcase(['audit', 'verify', dir]);
    expect(audit.status).toBe(0);
  });

  it('rejects bad arguments with the fix', () => {
    const kinds = runNetcase(['graph', dir, '--json', '--kinds', 'host,planet']);
    expect(kinds.status).toBe(2);
    expect(kinds.stderr).toContain('"planet" is not an entity kind');

    const window = runNetcase(['timeline', dir, '--json', '--from', '2026-01-02T00:00:00Z', '--to', '2026-01-01T00:00:00Z']);
    expect(window.status).toBe(1);
    expect(window.stderr).toContain('The time window is empty');

    const entity = runNetcase(['search', dir, '--entity', 'testmyids.com']);
    expect(entity.status).toBe(2);
    expect(entity.stderr).toContain('KIND:VALUE');
  });
});
