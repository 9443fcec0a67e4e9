import { copyFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { expect, it } from 'vitest';
import { createTsharkEngine } from '../../main/engines/tshark.js';
import type { EngineRunResult } from '../../main/engines/engine.js';
import { NetcaseError } from '../../main/errors.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';
import { readZeekLog, type LoggedRecord } from '../helpers/zeek-observables.js';

/** What one edge capture must give: the logs written and a warning, or a refusal. */
interface EdgeExpectation {
  capture: string;
  logs?: string[];
  warning?: RegExp;
  refusal?: { code: string; message: RegExp };
  check?: (logs: Map<string, LoggedRecord[]>) => void;
}

const engine = createTsharkEngine();

async function analyse(capture: string): Promise<{ result: EngineRunResult; logs: Map<string, LoggedRecord[]> }> {
  const outputDir = tempDir();
  const result = await engine.run({ capturePath: capture, outputDir, signal: new AbortController().signal, allowBadChecksums: true });
  const logs = new Map(result.logFiles.map((file) => [basename(file, '.log'), readZeekLog(file)]));
  return { result, logs };
}

function connTuples(logs: Map<string, LoggedRecord[]>): string[] {
  return (logs.get('conn') ?? []).map((record) => `${record.proto} ${record['id.orig_h']}:${record['id.orig_p']} > ${record['id.resp_h']}:${record['id.resp_p']}`);
}

const EDGE_CAPTURES: EdgeExpectation[] = [
  {
    capture: 'derived-file-truncated/smtp-first20000bytes.pcap',
    // files: the mail's entities up to the cut, as Zeek logs a message it saw only in part.
    logs: ['conn', 'dns', 'files', 'smtp'],
    warning: /smtp-first20000bytes\.pcap" appears to have been cut short in the middle of a packet/,
    check: (logs) => expect(logs.get('smtp')?.[0]?.mailfrom).toBe('gurpartap@patriots.in'),
  },
  { capture: 'tcpdump-tests/802.1ad_QinQ.pcap', logs: [], warning: /No packet in the capture carries TCP, UDP or ICMP over IP \(2 packets read\)/ },
  {
    capture: 'tcpdump-tests/LINKTYPE_IPV4_invalid.pcap',
    logs: ['conn', 'dns'],
    check: (logs) => expect(logs.get('conn')?.[0]?.proto).toBe('udp'),
  },
  {
    capture: 'tcpdump-tests/bigtcp-ipv6.pcap',
    logs: ['conn'],
    check: (logs) => expect(connTuples(logs).every((tuple) => tuple.startsWith('tcp '))).toBe(true),
  },
  {
    capture: 'tcpdump-tests/dns-badcookie.pcap',
    logs: ['conn', 'dns'],
    // BADCOOKIE is an extended code from the EDNS record; dns.log keeps the header's code.
    check: (logs) => expect((logs.get('dns') ?? []).map((record) => record.qtype_name)).toEqual(['SOA', 'SOA']),
  },
  { capture: 'tcpdump-tests/empty.pcapng', logs: [], warning: /empty\.pcapng contains no packets/ },
  { capture: 'tcpdump-tests/pptp.pcap', logs: ['conn'] },
  {
    capture: 'tcpdump-tests/quic_handshake_truncated.pcap',
    logs: ['conn', 'ssl'],
    warning: /4 packets \(frames 1, 3, 5, 10\) were cut short by the capture's snapshot length/,
    check: (logs) => expect(logs.get('conn')?.[0]?.proto).toBe('udp'),
  },
  {
    capture: 'tcpdump-tests/tcp-handshake-nano.pcap',
    logs: ['conn'],
    // Nanosecond times keep their first six decimals: 1418145369.924505xxx.
    check: (logs) => expect(logs.get('conn')?.[0]?.ts).toBe(1418145369.924505),
  },
  {
    capture: 'tcpdump-tests/time_2106_overflow.pcapng',
    logs: ['conn', 'dns'],
    warning: /1 packet \(frame 1\) is dated in the future \(latest 2106-02-07T06:28:16\.000000Z\)/,
  },
  {
    capture: 'tcpdump-tests/timestamp_invalid_micro.pcap',
    logs: ['conn'],
    warning: /1 packet \(frame 2\) has an invalid timestamp/,
  },
  {
    capture: 'tcpdump-tests/timestamp_invalid_nano.pcap',
    logs: ['conn'],
    warning: /2 packets \(frames 2, 3\) have an invalid timestamp/,
  },
  {
    capture: 'tcpdump-tests/unsupported-link-type-160.pcap',
    logs: [],
    warning: /1 packet \(frame 1\) uses a link-layer type tshark cannot decode/,
  },
  {
    capture: 'zeek-dlt-null-pop3-starttls/pop3-starttls.pcap',
    logs: ['conn', 'ssl'],
    check: (logs) => expect(logs.get('conn')?.[0]?.service).toBe('pop3,ssl'),
  },
  { capture: 'zeek-dlt-raw/rotation.pcap', logs: ['conn'] },
  { capture: 'zeek-empty-pcap/empty.pcap', logs: [], warning: /empty\.pcap contains no packets/ },
  {
    capture: 'zeek-gzip-pcap/iso-download.pcap.gz',
    logs: ['conn', 'files', 'http'],
    check: (logs) => {
      expect(logs.get('http')?.[0]?.uri).toBe('/myiso.iso');
      expect(logs.get('files')?.[0]?.source).toBe('HTTP');
      expect(logs.get('files')?.[0]?.total_bytes).toBe(358400);
    },
  },
  {
    capture: 'zeek-ipv6-fragmented-dns/ipv6-fragmented-dns.pcap',
    logs: ['conn', 'dns'],
  },
  {
    capture: 'zeek-ipv6-http-atomic-frag/ipv6-http-atomic-frag.pcap',
    // files: the HTTP/0.9 replies, which tshark does not dissect as HTTP but FileContent reads.
    logs: ['conn', 'files'],
    // Zeek's test prints these four connections; the packets carry IPv6 atomic fragments.
    check: (logs) => {
      const tuples = connTuples(logs);
      for (const port of [36951, 59694, 27393, 45805]) expect(tuples).toContain(`tcp 2001:db8:1::2:${port} > 2001:db8:1::1:80`);
    },
  },
  { capture: 'zeek-mixed-vlan-mpls/mixed-vlan-mpls.pcap', logs: ['conn', 'files', 'http'] },
  { capture: 'zeek-pcapng-multi-interface/pcapng-multi-interface.pcapng', logs: ['conn', 'dns'] },
  { capture: 'zeek-qinq/q-in-q.pcap', logs: ['conn'] },
  { capture: 'zeek-sll-arp/linuxsll-arp.pcap', logs: [], warning: /No packet in the capture carries TCP, UDP or ICMP over IP \(12 packets read\)/ },
  {
    capture: 'zeek-sll-irc-starttls/irc-starttls.pcap',
    logs: ['conn'],
    check: (logs) => expect(connTuples(logs)).toContain('tcp 203.143.168.47:55123 > 185.18.76.170:6667'),
  },
  {
    capture: 'zeek-sll2/linux_dlt_sll2.pcap',
    logs: ['conn'],
    // Zeek's test prints an ICMP echo and an ICMPv6 echo, each sent to the host itself.
    check: (logs) => {
      expect(connTuples(logs)).toContain('icmp 192.0.2.1:8 > 192.0.2.1:0');
      expect(connTuples(logs)).toContain('icmp fe80::8c36:6ff:fe44:acaf:128 > fe80::8c36:6ff:fe44:acaf:129');
    },
  },
  {
    capture: 'zeek-trunc-snaplen/icmp-header-trunc.pcap',
    logs: ['conn'],
    warning: /2 packets \(frames 1, 2\) were cut short by the capture's snapshot length/,
  },
  {
    capture: 'zeek-trunc-snaplen/ip4-trunc.pcap',
    logs: [],
    warning: /1 packet \(frame 1\) was cut short by the capture's snapshot length/,
  },
  {
    capture: 'zeek-trunc-snaplen/ip6-trunc.pcap',
    logs: [],
    warning: /1 packet \(frame 1\) was cut short by the capture's snapshot length/,
  },
  {
    capture: 'zeek-trunc-snaplen/trunc-hdr.pcap',
    logs: [],
    warning: /1 packet \(frame 1\) was cut short by the capture's snapshot length/,
  },
  {
    capture: 'zeek-trunc-snaplen/truncated-header.pcap',
    logs: ['conn'],
    warning: /24 packets \(frames 1, 2, 3, 4, 5, \.\.\.\) were cut short by the capture's snapshot length/,
  },
  {
    capture: 'zeek-vlan-dot1q-icmp/icmp_dot1q.pcap',
    logs: ['conn'],
    check: (logs) => expect(connTuples(logs)).toEqual(['icmp 192.168.123.2:8 > 192.168.123.1:0']),
  },
];

describeWithShared('tshark engine on edge captures', () => {
  it('covers every edge capture', () => {
    const listed = EDGE_CAPTURES.map((edge) => edge.capture).sort();
    const edgeDir = sharedPath('corpus/edge');
    const present = (readdirSync(edgeDir, { recursive: true }) as string[]).filter((path) => /\.(pcapng|pcap\.gz|pcap)$/.test(path)).sort();
    expect(listed).toEqual(present);
  });

  for (const edge of EDGE_CAPTURES) {
    it(`analyses ${edge.capture}`, async () => {
      const { result, logs } = await analyse(sharedPath('corpus/edge', edge.capture));
      expect([...logs.keys()].sort()).toEqual([...(edge.logs ?? [])].sort());
      if (edge.warning) expect(result.warnings.join('\n')).toMatch(edge.warning);
      else expect(result.warnings).toEqual([]);
      edge.check?.(logs);
    }, 30_000);
  }
});

describeWithShared('tshark engine refusals', () => {
  it('rejects a text file', async () => {
    const path = join(tempDir(), 'notes.txt');
    writeFileSync(path, 'not a capture\n');
    const error = await engine.run({ capturePath: path, outputDir: tempDir(), signal: new AbortController().signal, allowBadChecksums: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetcaseError);
    expect((error as NetcaseError).code).toBe('UNSUPPORTED_FILE');
    expect((error as NetcaseError).message).toContain(`${path}" isn't a capture file`);
  });

  it('rejects an empty file', async () => {
    const path = join(tempDir(), 'empty.pcap');
    writeFileSync(path, '');
    const error = await engine.run({ capturePath: path, outputDir: tempDir(), signal: new AbortController().signal, allowBadChecksums: true }).catch((caught: unknown) => caught);
    expect((error as NetcaseError).code).toBe('UNSUPPORTED_FILE');
    expect((error as NetcaseError).message).toContain(`${path} is empty (0 bytes)`);
  });

  it('rejects a folder', async () => {
    const path = tempDir();
    const error = await engine.run({ capturePath: path, outputDir: tempDir(), signal: new AbortController().signal, allowBadChecksums: true }).catch((caught: unknown) => caught);
    expect((error as NetcaseError).code).toBe('UNSUPPORTED_FILE');
    expect((error as NetcaseError).message).toContain(`${path} is not a file`);
  });

  it('rejects a missing file', async () => {
    const path = join(tempDir(), 'gone.pcap');
    const error = await engine.run({ capturePath: path, outputDir: tempDir(), signal: new AbortController().signal, allowBadChecksums: true }).catch((caught: unknown) => caught);
    expect((error as NetcaseError).code).toBe('NOT_FOUND');
    expect((error as NetcaseError).message).toContain(path);
  });

  it('reads names with spaces, quotes and non-ASCII', async () => {
    const path = join(tempDir(), `vip "recovery" ünïcødé 'copy' $HOME.pcap`);
    copyFileSync(sharedPath('scenarios/vip-recovery/vip-recovery.pcap'), path);
    const { result, logs } = await analyse(path);
    expect(result.exitCode).toBe(0);
    expect(logs.get('dns')).toHaveLength(6);
  });
});
