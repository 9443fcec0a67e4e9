import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { importLogs } from '../../main/ingest/importer.js';
import { readCaseReportInputs } from '../../main/report/case-inputs.js';
import { createServices } from '../../main/services.js';
import { describeWithShared, sharedPath } from '../helpers/shared.js';
import { tempDir } from '../helpers/temp.js';

const services = createServices('netcase-test');

describeWithShared('watchlist matches as findings', () => {
  it('lists each matched value as a finding', async () => {
    const work = tempDir();
    const dir = join(work, 'case');
    createCase(dir, { name: 'Simda', analyst: 'Ana Lyst' });
    const opened = openCase(dir, { write: true });
    await importLogs(opened.db, [sharedPath('corpus/zeek-logs/stratosphere-security-datasets-for-testing/005-zeek-scenario-malicious')], { actor: opened.actor });
    const last = (opened.db.prepare('SELECT MAX(ts) AS ts FROM events').get() as { ts: number }).ts;
    opened.close();

    const watchlist = join(work, 'simda.csv');
    writeFileSync(watchlist, 'type,value,label\ndomain,gatyfus.com,Simda DGA\ndomain,dns.msftncsi.com,connectivity check\ndomain,not-in-the-case.example,unrelated\n');
    await services.importWatchlist(dir, watchlist);

    const { findings } = services.findings(dir, {});
    const matches = findings.filter((finding) => finding.rule === 'watchlist-match');
    expect(matches.map((finding) => finding.title)).toEqual(['Watchlist match: dns.msftncsi.com', 'Watchlist match: gatyfus.com']);
    const simda = matches[1]!;
    expect(simda.severity).toBe('high');
    expect(simda.entities).toEqual([{ kind: 'domain', value: 'gatyfus.com' }]);
    expect(simda.eventIds.length).toBeGreaterThan(0);
    expect(simda.rationale).toContain('Simda DGA');

    const reading = openCase(dir, { write: false });
    const detections = readCaseReportInputs(reading).detections!.filter((detection) => detection.ruleId === 'watchlist-match');
    reading.close();
    expect(detections).toHaveLength(1);
    expect(detections[0]!.title).toBe('Watchlist matches');
    expect(detections[0]!.description).toContain('gatyfus.com (domain) is listed in the watchlist simda.csv: Simda DGA.');
    expect(detections[0]!.description).toContain('dns.msftncsi.com (domain) is listed in the watchlist simda.csv: connectivity check.');

    const afterAll = services.findings(dir, { from: last + 1 }).findings;
    expect(afterAll.filter((finding) => finding.rule === 'watchlist-match')).toEqual([]);
  });
});
