import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createTsharkEngine } from '../../main/engines/tshark.js';
import type { EngineRunResult } from '../../main/engines/engine.js';
import { describeWithShared, sharedPath, SHARED_DIR } from '../helpers/shared.js';
import { copyBaselineAsLog } from '../helpers/zeek-fixtures.js';
import { compareKeys, hasObservableFields, observableKey, readZeekLog, type LoggedRecord } from '../helpers/zeek-observables.js';

/** A Zeek baseline log, the capture Zeek produced it from and whether Zeek ran with -C. */
interface BaselineCase {
  capture: string;
  baseline: string;
  allowBadChecksums: boolean;
}

/** A remaining difference between the tshark engine and Zeek, with the reason it remains. */
interface KnownDifference {
  baseline: string;
  kind: 'missing' | 'extra';
  key: string;
  reason: string;
}

/** Baselines that come from another capture than the one in their folder. */
const FOREIGN_BASELINES = new Set([
  // Written by the last of several Zeek runs in that test, which read mixed-vlan-mpls.pcap.
  'edge/zeek-empty-pcap/baseline/core.print-bpf-filters/conn.log',
]);

const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    baseline: 'zeek-traces/http-connect-smtp-spam/baseline/scripts.base.protocols.http.http-connect/http.log',
    kind: 'missing',
    key: 'CONNECT - mailin03.sul.t-online.de:25 / 200',
    reason: 'The request line has a space inside its target; Zeek reads the URI up to " HTTP/", tshark up to the first space.',
  },
  {
    baseline: 'zeek-traces/http-connect-smtp-spam/baseline/scripts.base.protocols.http.http-connect/http.log',
    kind: 'extra',
    key: 'CONNECT - mailin03.sul.t-online.de:25 200',
    reason: 'The same request as the missing one, with the URI cut at the first space.',
  },
  {
    baseline: 'zeek-traces/http-connect-smtp-spam/baseline/scripts.base.protocols.http.http-connect/smtp.log',
    kind: 'missing',
    key: 'nhfjenna_neumann@lycos.com [thenightwatch@t-online.de] Hier sind die dicken Girls hemmungloser denn je.. grcu',
    reason: 'tshark 4.0 does not decode SMTP commands inside an HTTP CONNECT tunnel on a non-SMTP port.',
  },
  {
    baseline: 'zeek-traces/http-json-nonprintable/baseline/scripts.base.frameworks.logging.json-non-printable-escaping/http.log.tsv',
    kind: 'missing',
    key: 'GET 172.24.0.3 /non_printable_\u0007 404',
    reason: 'The TSV reader decodes \\x07 to the control character; Zeek JSON (the .json baseline, which matches) and this engine keep the text \\x07.',
  },
  {
    baseline: 'zeek-traces/http-json-nonprintable/baseline/scripts.base.frameworks.logging.json-non-printable-escaping/http.log.tsv',
    kind: 'extra',
    key: 'GET 172.24.0.3 /non_printable_\\x07 404',
    reason: 'The same request as the missing one, with the control character written as Zeek JSON writes it.',
  },
  {
    baseline: 'zeek-traces/wikipedia-mixed/baseline/opt.basic/http.log',
    kind: 'extra',
    key: 'GET www.wikipedia.org / 304',
    reason: 'The connection began before the capture (no handshake); Zeek does not analyse HTTP on it, tshark does.',
  },
  {
    baseline: 'edge/zeek-mixed-vlan-mpls/baseline/core.vlan-mpls/http.log',
    kind: 'missing',
    key: 'GET - / 0',
    reason: 'An HTTP/0.9 reply has no status line; Zeek logs status 0, tshark reports no status.',
  },
  {
    baseline: 'edge/zeek-mixed-vlan-mpls/baseline/core.vlan-mpls/http.log',
    kind: 'extra',
    key: 'GET - / -',
    reason: 'The same HTTP/0.9 request as the missing one, without a status.',
  },
  {
    baseline: 'edge/zeek-sll-irc-starttls/baseline/scripts.base.protocols.irc.starttls/ssl.log',
    kind: 'missing',
    key: '-',
    reason: 'tshark 4.0 does not switch an IRC connection to TLS after STARTTLS, so it sees no handshake.',
  },
];

/** conn.log fields compared beyond the observables, for connections both sides logged. */
const CONN_DETAIL_FIELDS = ['service', 'orig_bytes', 'resp_bytes', 'conn_state', 'history', 'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes'];

/** dns.log fields compared beyond the observables; `rtt` is compared as set or unset. */
const DNS_DETAIL_FIELDS = ['proto', 'trans_id', 'qclass', 'qclass_name', 'qtype', 'rcode', 'AA', 'TC', 'RD', 'RA', 'Z', 'TTLs', 'rejected', 'opcode', 'opcode_name'];

/**
 * Fields left out when comparing whole http, ssl, smtp and ftp records. Times and ids (uids,
 * file ids) differ by design, and certificate fields need x509 analysis this engine does not
 * do. smtp auth_mechanism is added by this engine and not logged by Zeek.
 */
const DETAIL_SKIPPED_FIELDS = new Set(['auth_mechanism', 'ts', 'uid', 'fuid', 'fuids', 'orig_fuids', 'resp_fuids', 'cert_chain_fps', 'client_cert_chain_fps', 'cert_chain_fuids', 'client_cert_chain_fuids', 'ssl_history', 'sni_matches_cert', 'validation_status']);

/** Set-valued fields, compared without regard to order. */
const SET_FIELDS = new Set(['rcptto', 'to', 'cc', 'tags']);

/** A remaining difference in one field of a matched record, with the reason it remains. */
interface KnownDetailDifference {
  baseline: string;
  record: string;
  field: string;
  reason: string;
}

const KNOWN_DETAIL_DIFFERENCES: KnownDetailDifference[] = [
  {
    baseline: 'zeek-traces/ftp-ipv4/baseline/scripts.base.protocols.ftp.ftp-ipv4/ftp.log',
    record: 'RETR ftp://199.233.217.249/./robots.txt',
    field: 'mime_type',
    reason: 'Zeek sniffs the MIME type from the file contents, which this engine does not see.',
  },
  {
    baseline: 'zeek-traces/ftp-ipv4/baseline/scripts.base.protocols.ftp.ftp-ipv4/ftp.log',
    record: 'RETR ftp://199.233.217.249/./robots.txt',
    field: 'mime_type',
    reason: 'The second download of the same file, for the same reason.',
  },
  {
    baseline: 'zeek-traces/http-get/baseline/javascript.http-uri-sha256/http.log',
    record: 'GET bro.org /download/CHANGES.bro-aux.txt 200',
    field: 'uri_sha256',
    reason: "A field added by that Zeek test's own JavaScript, not by Zeek's HTTP analysis.",
  },
  {
    baseline: 'zeek-traces/http-ctu-62604-c2sock/baseline/scripts.base.protocols.http.ctu-agent-tesla/http.log.cut',
    record: 'POST 45.9.74.78 /c2sock 200',
    field: 'orig_mime_types',
    reason: 'Zeek sniffs the uploaded part as text/plain; its part header gives no type this engine can align.',
  },
  {
    baseline: 'zeek-traces/http-ctu-62604-c2sock/baseline/scripts.base.protocols.http.ctu-agent-tesla/http.log.cut',
    record: 'POST 45.9.74.78 /c2sock 200',
    field: 'resp_mime_types',
    reason: 'The reply is labelled text/html; Zeek found no type by sniffing the 5-byte body.',
  },
];

/** Largest accepted difference in conn.log `duration`, in seconds. */
const DURATION_TOLERANCE = 0.0001;

/** A remaining difference in one conn.log field, with the reason it remains. */
interface KnownConnDifference {
  baseline: string;
  connection: string;
  field: string;
  reason: string;
}

const KNOWN_CONN_DIFFERENCES: KnownConnDifference[] = [
  {
    baseline: 'zeek-traces/wikipedia-mixed/baseline/opt.basic/conn.log',
    connection: '141.142.220.118 35634 208.80.152.2 80 tcp',
    field: 'service',
    reason: 'The connection began before the capture; Zeek does not identify HTTP without the handshake, tshark does.',
  },
  {
    baseline: 'edge/zeek-sll-irc-starttls/baseline/scripts.base.protocols.irc.starttls/conn.log',
    connection: '203.143.168.47 55123 185.18.76.170 6667 tcp',
    field: 'service',
    reason: 'tshark 4.0 does not follow IRC STARTTLS into TLS, so "ssl" is not detected.',
  },
];

const engine = createTsharkEngine();
const workDir = mkdtempSync(join(tmpdir(), 'netcase-tshark-test-'));
const runs = new Map<string, Promise<{ result: EngineRunResult; outputDir: string }>>();

/** Runs the engine once per capture and checksum setting, shared by the baselines using them. */
function analyse(capture: string, allowBadChecksums: boolean) {
  const key = `${capture}|${allowBadChecksums}`;
  let run = runs.get(key);
  if (!run) {
    const outputDir = mkdtempSync(join(workDir, 'run-'));
    run = engine
      .run({ capturePath: capture, outputDir, signal: new AbortController().signal, allowBadChecksums })
      .then((result) => ({ result, outputDir }));
    runs.set(key, run);
  }
  return run;
}

/**
 * Returns whether the Zeek test behind a baseline folder ran Zeek with -C (bad checksums
 * accepted). The folder is named after the test, and its last name part is the test file's name.
 */
function zeekAllowedBadChecksums(captureDir: string, testName: string): boolean {
  const testFile = testName.split('.').pop() ?? '';
  const scripts = readdirSync(join(captureDir, 'btest')).filter((name) => name.split('.')[0] === testFile);
  const text = scripts.map((name) => readFileSync(join(captureDir, 'btest', name), 'utf8')).join('\n');
  return /\bzeek\b[^\n]*\s-[A-Za-z]*C/.test(text);
}

function findBaselineCases(): BaselineCase[] {
  const cases: BaselineCase[] = [];
  for (const group of ['corpus/zeek-traces', 'corpus/edge']) {
    for (const entry of readdirSync(sharedPath(group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = sharedPath(group, entry.name);
      const captures = readdirSync(dir).filter((name) => /\.(pcap|pcapng|pcap\.gz)$/.test(name));
      if (captures.length !== 1) continue;
      const baselineRoot = join(dir, 'baseline');
      let tests: string[] = [];
      try {
        tests = readdirSync(baselineRoot);
      } catch {
        continue;
      }
      for (const test of tests) {
        for (const file of readdirSync(join(baselineRoot, test))) {
          const baseline = join(baselineRoot, test, file);
          if (!/^(conn|dns|http|ssl|smtp|ftp)\.log/.test(file)) continue;
          if (FOREIGN_BASELINES.has(relative(sharedPath('corpus'), baseline))) continue;
          cases.push({ capture: join(dir, captures[0]!), baseline, allowBadChecksums: zeekAllowedBadChecksums(dir, test) });
        }
      }
    }
  }
  return cases;
}

/** A field value as comparable text; sets are sorted because Zeek writes them in no fixed order. */
function comparable(field: string, value: unknown): string {
  if (Array.isArray(value) && SET_FIELDS.has(field)) return JSON.stringify([...value].sort());
  return JSON.stringify(value);
}

function readBaseline(path: string): LoggedRecord[] {
  const copy = join(mkdtempSync(join(workDir, 'baseline-')), basename(path).replace(/\.(json|tsv|cut)$/, ''));
  copyBaselineAsLog(path, copy);
  return readZeekLog(copy);
}

describeWithShared('tshark engine against Zeek baselines', () => {
  const cases = findBaselineCases();

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('finds the baselines', () => {
    expect(cases.length).toBeGreaterThan(15);
  });

  for (const { capture, baseline, allowBadChecksums } of cases) {
    const name = relative(join(SHARED_DIR, 'corpus'), baseline);
    const log = basename(baseline).split('.')[0]!;

    it(`matches ${name}`, async () => {
      const expectedRecords = readBaseline(baseline);
      if (!hasObservableFields(log, expectedRecords)) return;
      const { result, outputDir } = await analyse(capture, allowBadChecksums);
      const ours = result.logFiles.find((file) => basename(file) === `${log}.log`);
      const actualRecords = ours ? readZeekLog(ours) : [];

      const { missing, extra } = compareKeys(
        expectedRecords.map((record) => observableKey(log, record)),
        actualRecords.map((record) => observableKey(log, record)),
      );
      if (process.env.NETCASE_PRINT_DIFFERENCES) console.log(JSON.stringify({ name, missing, extra }));
      const known = KNOWN_DIFFERENCES.filter((difference) => difference.baseline === name);
      const knownMissing = known.filter((difference) => difference.kind === 'missing').map((difference) => difference.key).sort();
      const knownExtra = known.filter((difference) => difference.kind === 'extra').map((difference) => difference.key).sort();
      expect(outputDir).not.toBe('');
      expect(missing, 'Zeek observables the engine did not find').toEqual(knownMissing);
      expect(extra, 'observables the engine reported that Zeek did not').toEqual(knownExtra);
    });

    if (log === 'dns') {
      it(`matches DNS details of ${name}`, async () => {
        const expectedRecords = readBaseline(baseline);
        const { result } = await analyse(capture, allowBadChecksums);
        const actualRecords = readZeekLog(result.logFiles.find((file) => basename(file) === 'dns.log')!);

        const used = new Set<number>();
        for (const zeekRecord of expectedRecords) {
          const key = `${observableKey('dns', zeekRecord)} ${zeekRecord.trans_id}`;
          const index = actualRecords.findIndex((record, i) => !used.has(i) && `${observableKey('dns', record)} ${record.trans_id}` === key);
          expect(index, key).toBeGreaterThanOrEqual(0);
          used.add(index);
          const ours = actualRecords[index]!;
          for (const field of DNS_DETAIL_FIELDS) expect(ours[field], `${key} ${field}`).toEqual(zeekRecord[field]);
          expect(ours.rtt === undefined, `${key} rtt set`).toBe(zeekRecord.rtt === undefined);
        }
      });
    }

    if (log === 'http' || log === 'ssl' || log === 'smtp' || log === 'ftp') {
      it(`matches all fields of ${name}`, async () => {
        const expectedRecords = readBaseline(baseline);
        const { result } = await analyse(capture, allowBadChecksums);
        const ours = result.logFiles.find((file) => basename(file) === `${log}.log`);
        const actualRecords = ours ? readZeekLog(ours) : [];

        const differences: string[] = [];
        const used = new Set<number>();
        for (const zeekRecord of expectedRecords) {
          const key = observableKey(log, zeekRecord);
          const index = actualRecords.findIndex((record, i) => !used.has(i) && observableKey(log, record) === key);
          if (index === -1) continue;
          used.add(index);
          const actual = actualRecords[index]!;
          const fields = new Set([...Object.keys(zeekRecord), ...Object.keys(actual)].filter((field) => !DETAIL_SKIPPED_FIELDS.has(field)));
          for (const field of fields) {
            if (comparable(field, zeekRecord[field]) !== comparable(field, actual[field])) differences.push(`${key} | ${field}`);
          }
        }
        const known = KNOWN_DETAIL_DIFFERENCES.filter((difference) => difference.baseline === name).map((difference) => `${difference.record} | ${difference.field}`);
        expect(differences.sort()).toEqual(known.sort());
      });
    }

    if (log !== 'conn') continue;

    it(`matches connection details of ${name}`, async () => {
      const expectedRecords = readBaseline(baseline);
      if (!hasObservableFields(log, expectedRecords)) return;
      const { result } = await analyse(capture, allowBadChecksums);
      const actualRecords = readZeekLog(result.logFiles.find((file) => basename(file) === 'conn.log')!);

      const differences: string[] = [];
      for (const zeekRecord of expectedRecords) {
        const connection = observableKey('conn', zeekRecord);
        const ours = actualRecords.find((record) => observableKey('conn', record) === connection);
        if (!ours) continue;
        for (const field of CONN_DETAIL_FIELDS) {
          if (zeekRecord[field] !== ours[field]) differences.push(`${connection} ${field}`);
        }
        const durationGap = Math.abs(Number(zeekRecord.duration ?? 0) - Number(ours.duration ?? 0));
        if (durationGap > DURATION_TOLERANCE) differences.push(`${connection} duration`);
      }
      const known = KNOWN_CONN_DIFFERENCES.filter((difference) => difference.baseline === name).map((difference) => `${difference.connection} ${difference.field}`);
      expect(differences.sort()).toEqual(known.sort());
    });
  }
});
