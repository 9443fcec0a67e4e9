import { vi } from 'vitest';
import type { IocRecord, IocWithSighting } from '../../preload/api.js';

/** Builds an IOC as `iocs.list` returns it, with one sighting. */
export function fakeIoc(fields: Partial<IocRecord> & Pick<IocRecord, 'value'>): IocWithSighting {
  return {
    id: 1,
    type: 'domain',
    verdict: 'suspicious',
    confidence: null,
    tags: [],
    note: '',
    analyst: 'Tester',
    source: 'analyst',
    createdAt: '2026-01-09T18:00:00Z',
    updatedAt: '2026-01-09T18:00:00Z',
    sighting: { events: 3, firstSeen: null, lastSeen: null, logs: { dns: 3 }, hosts: [] },
    ...fields,
  };
}

/**
 * Installs a fake `window.netcase` with the IOC methods, keeping the IOCs in memory the way the
 * service does: tagging adds tags and keeps fields left out, untagging removes tags or the IOC.
 */
export function installIocApi(initial: IocWithSighting[] = []) {
  let iocs = initial.map((ioc) => ({ ...ioc, tags: [...ioc.tags] }));
  let version = 0;
  const stamp = () => `2026-01-09T19:00:${String(++version).padStart(2, '0')}Z`;

  const tag = vi.fn(async (input: { value: string; type?: string; verdict: string; confidence?: number; tags?: string[]; note?: string }) => {
    let ioc = iocs.find((candidate) => candidate.value === input.value);
    if (!ioc) {
      ioc = fakeIoc({ id: iocs.length + 1, value: input.value });
      iocs.push(ioc);
    }
    ioc.verdict = input.verdict as IocRecord['verdict'];
    if (input.confidence !== undefined) ioc.confidence = input.confidence;
    ioc.tags = [...new Set([...ioc.tags, ...(input.tags ?? [])])].sort();
    if (input.note !== undefined) ioc.note = input.note;
    ioc.updatedAt = stamp();
    return ioc;
  });
  const untag = vi.fn(async (input: { value: string; tags?: string[] }) => {
    const ioc = iocs.find((candidate) => candidate.value === input.value);
    if (!ioc) return { removed: null };
    if (input.tags === undefined) {
      iocs = iocs.filter((candidate) => candidate !== ioc);
      return { removed: ioc };
    }
    ioc.tags = ioc.tags.filter((tag) => !input.tags!.includes(tag));
    ioc.updatedAt = stamp();
    return { removed: ioc };
  });
  const list = vi.fn(async () => ({ iocs: iocs.map((ioc) => ({ ...ioc, tags: [...ioc.tags] })) }));

  (window as unknown as { netcase: unknown }).netcase = { iocs: { tag, untag, list } };
  return { tag, untag, list };
}
