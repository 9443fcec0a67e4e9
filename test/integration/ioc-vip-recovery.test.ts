import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCase } from '../../main/case/case-folder.js';
import { CSV_COLUMNS } from '../../main/iocs/export-csv.js';
import { parseCsv } from '../../main/iocs/csv.js';
import { parsePattern } from '../../main/iocs/stix-pattern.js';
import { createServices } from '../../main/services.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { stixBundleValidator } from '../helpers/stix.js';

interface Expected {
  domains: string[];
  server_addresses: Record<string, string[]>;
  smtp_sessions: { mail_from: string; rcpt_to: string[] }[];
}

const services = createServices('netcase-test');

describeWithShared('IOC exports of the vip-recovery case', () => {
  const parent = mkdtempSync(join(tmpdir(), 'netcase-vip-iocs-'));
  const caseDir = join(parent, 'case');
  let expected: Expected;
  let addresses: string[];
  let emails: string[];

  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  beforeAll(async () => {
    expected = JSON.parse(readFileSync(sharedPath('scenarios/vip-recovery/expected.json'), 'utf8')) as Expected;
    const capture = join(parent, 'vip-recovery.pcap');
    copyFileSync(sharedPath('scenarios/vip-recovery/vip-recovery.pcap'), capture);
    createCase(caseDir, { name: 'VIP Recovery', analyst: 'Dana Reyes' });
    await services.addEvidence(caseDir, [capture]);
    await services.analyze(caseDir, { engine: 'tshark' });

    // Tagged as an analyst would: the six domains, the sender and recipient, and the public
    // addresses the domains resolved to.
    addresses = [...new Set(Object.values(expected.server_addresses).flat())].sort();
    emails = [expected.smtp_sessions[0]!.mail_from, ...expected.smtp_sessions[0]!.rcpt_to];
    for (const domain of expected.domains) {
      await services.tagIoc(caseDir, { value: domain, verdict: domain === 'eraqron.shop' ? 'malicious' : 'suspicious', tags: ['vip-recovery'] });
    }
    for (const email of emails) await services.tagIoc(caseDir, { value: email, verdict: 'malicious', note: 'SMTP exfiltration account' });
    for (const address of addresses) await services.tagIoc(caseDir, { value: address, verdict: 'suspicious' });
  });

  it('lists every tagged value with sightings', async () => {
    const iocs = await services.listIocs(caseDir);
    expect(iocs.map((ioc) => ioc.value).sort()).toEqual([...expected.domains, ...emails, ...addresses].sort());
    for (const ioc of iocs) expect(ioc.sighting.events, ioc.value).toBeGreaterThan(0);
  });

  it('exports a valid STIX bundle', async () => {
    const bundle = JSON.parse((await services.exportIocs(caseDir, { format: 'stix' })).text) as { objects: { type: string; pattern?: string; id: string }[] };
    const { bundle: validate, byType } = stixBundleValidator();
    expect(validate(bundle), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    for (const object of bundle.objects) expect(byType(object.type)(object), object.id).toBe(true);
    const patterns = bundle.objects.filter((object) => object.type === 'indicator').map((object) => object.pattern!);
    expect(patterns).toHaveLength(expected.domains.length + emails.length + addresses.length);
    for (const pattern of patterns) expect(parsePattern(pattern).status, pattern).toBe('ok');
    expect(patterns).toContain("[domain-name:value = 'eraqron.shop']");
    expect(patterns).toContain("[email-addr:value = 'rejump@eraqron.shop']");
    expect(patterns).toContain("[ipv4-addr:value = '198.51.100.25']");
  });

  it('exports MISP attributes of the right types', async () => {
    const misp = JSON.parse((await services.exportIocs(caseDir, { format: 'misp' })).text) as { Event: { Attribute: { type: string; value: string; to_ids: boolean }[] } };
    const byValue = new Map(misp.Event.Attribute.map((attribute) => [attribute.value, attribute]));
    for (const domain of expected.domains) expect(byValue.get(domain)?.type, domain).toBe('domain');
    for (const email of emails) expect(byValue.get(email)?.type, email).toMatch(/^email/);
    for (const address of addresses) expect(byValue.get(address)?.type, address).toBe('ip-dst');
    expect(byValue.get('eraqron.shop')?.to_ids).toBe(true);
  });

  it('exports CSV with the documented columns', async () => {
    const { rows, problems } = parseCsv((await services.exportIocs(caseDir, { format: 'csv' })).text);
    expect(problems).toEqual([]);
    expect(rows[0]!.fields).toEqual([...CSV_COLUMNS]);
    expect(rows.slice(1)).toHaveLength(expected.domains.length + emails.length + addresses.length);
  });
});
