// Benchmark: a signed report of about 50 pages. A case is made from generated Zeek JSON logs
// (2,000 DNS events), and the report gets 1,150 key-timeline rows, 300 tagged IOCs and 12
// stages as inputs, which fill about 50 A4 pages. Each run is the whole export: report model,
// PDF rendering, signing with a PKCS#12 certificate, verification and the atomic write.
// One warm-up run, then 5 measured runs; the last line of output is JSON with the figures.
//
//   npx tsx test/bench/report.bench.ts
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { importLogs } from '../../main/ingest/importer.js';
import { exportReport } from '../../main/report/export.js';
import type { ReportInputs, ReportIoc, ReportStage, ReportTimelineEntry } from '../../main/report/report-model.js';
import { createAnalystCertificate } from '../../main/report/signing/identity.js';

const RUNS = 5;
const PASSPHRASE = 'benchmark passphrase';
const START = 1_767_981_883_000_000;

const work = mkdtempSync(join(tmpdir(), 'netcase-report-bench-'));
try {
  // 1. A case with generated DNS events.
  const logs = join(work, 'logs');
  mkdirSync(logs);
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) {
    lines.push(JSON.stringify({ ts: (START + i * 1_000_000) / 1e6, uid: `C${i}`, 'id.orig_h': '10.0.0.5', 'id.orig_p': 40000 + i, 'id.resp_h': '10.0.0.1', 'id.resp_p': 53, proto: 'udp', query: `host-${i}.example.net`, qtype_name: 'A' }));
  }
  writeFileSync(join(logs, 'dns.log'), `${lines.join('\n')}\n`);
  const caseDir = join(work, 'case');
  createCase(caseDir, { name: 'Report benchmark', analyst: 'Bench Analyst' });
  const setup = openCase(caseDir, { write: true });
  await importLogs(setup.db, [logs], { actor: setup.actor });
  setup.close();

  // 2. Inputs that fill about 50 pages, and a signing certificate.
  const timeline: ReportTimelineEntry[] = Array.from({ length: 1150 }, (_, i) => ({ ts: START + i * 1_000_000, description: `DNS query: host-${i}.example.net from 10.0.0.5`, source: 'indicator' }));
  const iocs: ReportIoc[] = Array.from({ length: 300 }, (_, i) => ({ type: i % 3 === 0 ? 'ip' : 'domain', value: i % 3 === 0 ? `198.51.100.${i % 250}` : `host-${i}.example.net`, verdict: 'suspicious', note: 'Contacted repeatedly by the workstation during the incident window', firstSeen: START + i * 1_000_000 }));
  const stages: ReportStage[] = Array.from({ length: 12 }, (_, i) => ({ id: `s${i}`, title: `Stage ${i + 1}`, start: START + i * 60_000_000, end: START + i * 60_000_000 + 5_000_000, indicators: [`host-${i}.example.net`] }));
  const inputs: ReportInputs = { timeline, iocs, stages, findings: stages.map((stage) => ({ stageId: stage.id, title: stage.title, detail: 'Generated finding.', eventIds: [], firstSeen: stage.start })) };
  const p12 = createAnalystCertificate({ name: 'Bench Analyst', passphrase: PASSPHRASE });

  // 3. Warm-up, then measured runs.
  const wall: number[] = [];
  const cpu: number[] = [];
  let pages = 0;
  for (let run = 0; run <= RUNS; run++) {
    const opened = openCase(caseDir, { write: true });
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    const result = await exportReport(opened, { out: join(work, `report-${run}.pdf`), inputs, sign: { p12Path: 'bench.p12', p12, passphrase: PASSPHRASE } });
    const elapsed = performance.now() - started;
    const used = process.cpuUsage(cpuStart);
    opened.close();
    pages = result.pages;
    console.log(`run ${run === 0 ? 'warm-up' : run}: ${result.pages} pages, ${(result.bytes / 1024).toFixed(0)} KiB, ${elapsed.toFixed(0)} ms wall, ${((used.user + used.system) / 1000).toFixed(0)} ms CPU`);
    if (run > 0) {
      wall.push(elapsed);
      cpu.push((used.user + used.system) / 1000);
    }
  }
  const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  console.log(JSON.stringify({ pages, runs: RUNS, wallMedianMs: median(wall), cpuMedianMs: median(cpu), wallMaxMs: Math.max(...wall) }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
