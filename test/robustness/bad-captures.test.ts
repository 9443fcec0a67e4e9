import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { openCase } from '../../main/case/case-folder.js';
import { listEvidence } from '../../main/case/evidence.js';
import { listEngineRuns, type EngineRun } from '../../main/engines/engine-runs.js';
import { runNetcase } from '../helpers/cli.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { expectCaseSound, expectCliSound, suiteDir, type CaseCounts } from './case-health.js';

/** What analysing one odd capture must give: events or none, and the warning that explains it. */
interface EdgeCapture {
  capture: string;
  events: boolean;
  warning?: RegExp;
}

// Every capture under corpus/edge: odd link types, broken timestamps, truncated packets and files.
const EDGE_CAPTURES: EdgeCapture[] = [
  { capture: 'derived-file-truncated/smtp-first20000bytes.pcap', events: true, warning: /appears to have been cut short in the middle of a packet[\s\S]*tshark exited with code 2 after 37 packets; the logs cover those packets only/ },
  { capture: 'tcpdump-tests/802.1ad_QinQ.pcap', events: false, warning: /No packet in the capture carries TCP, UDP or ICMP over IP \(2 packets read\)/ },
  { capture: 'tcpdump-tests/LINKTYPE_IPV4_invalid.pcap', events: true },
  { capture: 'tcpdump-tests/bigtcp-ipv6.pcap', events: true },
  { capture: 'tcpdump-tests/dns-badcookie.pcap', events: true },
  { capture: 'tcpdump-tests/empty.pcapng', events: false, warning: /empty\.pcapng contains no packets; the logs are empty/ },
  { capture: 'tcpdump-tests/pptp.pcap', events: true },
  { capture: 'tcpdump-tests/quic_handshake_truncated.pcap', events: true, warning: /4 packets \(frames 1, 3, 5, 10\) were cut short by the capture's snapshot length/ },
  { capture: 'tcpdump-tests/tcp-handshake-nano.pcap', events: true },
  { capture: 'tcpdump-tests/time_2106_overflow.pcapng', events: true, warning: /1 packet \(frame 1\) is dated in the future/ },
  { capture: 'tcpdump-tests/timestamp_invalid_micro.pcap', events: true, warning: /1 packet \(frame 2\) has an invalid timestamp/ },
  { capture: 'tcpdump-tests/timestamp_invalid_nano.pcap', events: true, warning: /2 packets \(frames 2, 3\) have an invalid timestamp/ },
  { capture: 'tcpdump-tests/unsupported-link-type-160.pcap', events: false, warning: /1 packet \(frame 1\) uses a link-layer type tshark cannot decode/ },
  { capture: 'zeek-dlt-null-pop3-starttls/pop3-starttls.pcap', events: true },
  { capture: 'zeek-dlt-raw/rotation.pcap', events: true },
  { capture: 'zeek-empty-pcap/empty.pcap', events: false, warning: /empty\.pcap contains no packets; the logs are empty/ },
  { capture: 'zeek-gzip-pcap/iso-download.pcap.gz', events: true },
  { capture: 'zeek-ipv6-fragmented-dns/ipv6-fragmented-dns.pcap', events: true },
  { capture: 'zeek-ipv6-http-atomic-frag/ipv6-http-atomic-frag.pcap', events: true },
  { capture: 'zeek-mixed-vlan-mpls/mixed-vlan-mpls.pcap', events: true },
  { capture: 'zeek-pcapng-multi-interface/pcapng-multi-interface.pcapng', events: true },
  { capture: 'zeek-qinq/q-in-q.pcap', events: true },
  { capture: 'zeek-sll-arp/linuxsll-arp.pcap', events: false, warning: /No packet in the capture carries TCP, UDP or ICMP over IP \(12 packets read\)/ },
  { capture: 'zeek-sll-irc-starttls/irc-starttls.pcap', events: true },
  { capture: 'zeek-sll2/linux_dlt_sll2.pcap', events: true },
  { capture: 'zeek-trunc-snaplen/icmp-header-trunc.pcap', events: true, warning: /2 packets \(frames 1, 2\) were cut short by the capture's snapshot length/ },
  { capture: 'zeek-trunc-snaplen/ip4-trunc.pcap', events: false, warning: /1 packet \(frame 1\) was cut short by the capture's snapshot length/ },
  { capture: 'zeek-trunc-snaplen/ip6-trunc.pcap', events: false, warning: /1 packet \(frame 1\) was cut short by the capture's snapshot length/ },
  { capture: 'zeek-trunc-snaplen/trunc-hdr.pcap', events: false, warning: /1 packet \(frame 1\) was cut short by the capture's snapshot length/ },
  { capture: 'zeek-trunc-snaplen/truncated-header.pcap', events: true, warning: /24 packets \(frames 1, 2, 3, 4, 5, \.\.\.\) were cut short by the capture's snapshot length/ },
  { capture: 'zeek-vlan-dot1q-icmp/icmp_dot1q.pcap', events: true },
];

describeWithShared('odd and broken captures', () => {
  let caseDir: string;
  let runs: Map<string, EngineRun>;
  let counts: CaseCounts;

  // One case contains every capture, added and analysed by the CLI in one go, as an analyst would.
  beforeAll(async () => {
    caseDir = join(suiteDir('netcase-edge-'), 'case');
    expect(runNetcase(['case', 'create', caseDir, '--name', 'edge captures']).status).toBe(0);
    const add = runNetcase(['add', caseDir, ...EDGE_CAPTURES.map((edge) => sharedPath('corpus/edge', edge.capture))]);
    expect(add.stderr).toBe('');
    const analyze = runNetcase(['analyze', caseDir, '--engine', 'tshark']);
    expect(analyze.stderr).not.toContain('internal error');
    expect(analyze.status).toBe(0);

    const opened = openCase(caseDir, { write: false });
    try {
      const byId = new Map(listEvidence(opened).map((item) => [item.id, item.original_path]));
      runs = new Map(listEngineRuns(opened.db).map((run) => [byId.get(run.evidenceId)!, run]));
    } finally {
      opened.close();
    }
    counts = await expectCaseSound(caseDir);
  }, 300_000);

  it('covers every capture of the corpus', () => {
    const present = (readdirSync(sharedPath('corpus/edge'), { recursive: true }) as string[]).filter((path) => /\.(pcapng|pcap\.gz|pcap)$/.test(path)).sort();
    expect(EDGE_CAPTURES.map((edge) => edge.capture).sort()).toEqual(present);
  });

  it.each(EDGE_CAPTURES.map((edge) => [edge.capture, edge] as const))('%s', (_name, edge) => {
    const run = runs.get(sharedPath('corpus/edge', edge.capture));
    expect(run, 'an engine run for the capture').toBeDefined();
    expect(run!.error).toBeNull();
    expect(run!.status).toBe('done');
    expect(run!.records > 0).toBe(edge.events);
    if (edge.warning) expect(run!.warnings.join('\n')).toMatch(edge.warning);
    else expect(run!.warnings).toEqual([]);
  });

  it('analyze rerun changes no counts', async () => {
    expectCliSound(caseDir);
    const again = runNetcase(['analyze', caseDir, '--engine', 'tshark']);
    expect(again.status).toBe(0);
    // case info adds an audit entry for its verification, so only the other counts must match.
    const after = await expectCaseSound(caseDir);
    expect({ ...after, auditEntries: 0 }).toEqual({ ...counts, auditEntries: 0 });
    expect(counts.engineRuns).toBe(EDGE_CAPTURES.length);
    expect(counts.evidence).toBe(EDGE_CAPTURES.length);
  });
});
