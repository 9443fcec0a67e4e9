import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PathGrants, pathInsideCase } from '../../main/ipc/path-grants.js';
import { MAX_RECENT_CASES, RecentCases } from '../../main/ipc/recent-cases.js';
import { tempDir } from '../helpers/temp.js';

describe('PathGrants', () => {
  it('token returns the chosen path', () => {
    const grants = new PathGrants();
    const chosen = grants.grant('/data/capture.pcap', 'add-captures');
    expect(chosen.token).toMatch(/^[0-9a-f]{32}$/);
    expect(chosen.name).toBe('capture.pcap');
    expect(grants.path(chosen.token, ['add-captures'])).toBe('/data/capture.pcap');
  });

  it('tokens differ for the same path', () => {
    const grants = new PathGrants();
    expect(grants.grant('/a.pcap', 'add-captures').token).not.toBe(grants.grant('/a.pcap', 'add-captures').token);
  });

  it('other purpose rejected', () => {
    const grants = new PathGrants();
    const { token } = grants.grant('/home/analyst/report.pdf', 'save-report');
    expect(() => grants.path(token, ['add-captures'])).toThrow(/chosen to save report, not for this action \(add-captures\)/);
  });

  it('token of another session rejected', () => {
    const { token } = new PathGrants().grant('/a.pcap', 'add-captures');
    expect(() => new PathGrants().path(token, ['add-captures'])).toThrow(/not issued in this session/);
  });
});

describe('pathInsideCase', () => {
  it('accepts files inside, rejects escapes', () => {
    const root = tempDir();
    const caseDir = join(root, 'case');
    mkdirSync(join(caseDir, 'reports'), { recursive: true });
    writeFileSync(join(caseDir, 'reports', 'r.pdf'), 'x');
    writeFileSync(join(root, 'secret.txt'), 'x');
    symlinkSync(join(root, 'secret.txt'), join(caseDir, 'reports', 'link.pdf'));

    expect(pathInsideCase(caseDir, 'reports/r.pdf')).toBe(join(caseDir, 'reports', 'r.pdf'));
    expect(() => pathInsideCase(caseDir, '../secret.txt')).toThrow(/outside the case folder/);
    expect(() => pathInsideCase(caseDir, 'reports/link.pdf')).toThrow(/outside the case folder/);
    expect(() => pathInsideCase(caseDir, '.')).toThrow(/outside the case folder/);
    expect(() => pathInsideCase(caseDir, join(caseDir, 'reports', 'r.pdf'))).toThrow(/is absolute/);
    expect(() => pathInsideCase(caseDir, 'reports/none.pdf')).toThrow(/not found/);
  });
});

describe('RecentCases', () => {
  it('newest first without duplicates', () => {
    const recent = new RecentCases(join(tempDir(), 'config', 'recent-cases.json'));
    recent.add('/cases/a', 'A', new Date('2026-01-01T00:00:00Z'));
    recent.add('/cases/b', 'B', new Date('2026-01-02T00:00:00Z'));
    recent.add('/cases/a', 'A renamed', new Date('2026-01-03T00:00:00Z'));
    expect(recent.list()).toEqual([
      { dir: '/cases/a', name: 'A renamed', openedAt: '2026-01-03T00:00:00.000Z' },
      { dir: '/cases/b', name: 'B', openedAt: '2026-01-02T00:00:00.000Z' },
    ]);
    expect(recent.includes('/cases/b/')).toBe(true);
    expect(recent.includes('/cases/c')).toBe(false);
  });

  it('keeps the newest ten', () => {
    const recent = new RecentCases(join(tempDir(), 'recent-cases.json'));
    for (let index = 0; index < MAX_RECENT_CASES + 3; index++) recent.add(`/cases/${index}`, `Case ${index}`);
    expect(recent.list()).toHaveLength(MAX_RECENT_CASES);
    expect(recent.list()[0]?.dir).toBe(`/cases/${MAX_RECENT_CASES + 2}`);
  });

  it('invalid file read as empty', () => {
    const file = join(tempDir(), 'recent-cases.json');
    writeFileSync(file, '{"not": "a list"}');
    const recent = new RecentCases(file);
    expect(recent.list()).toEqual([]);
    recent.add('/cases/a', 'A');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveLength(1);
  });
});
