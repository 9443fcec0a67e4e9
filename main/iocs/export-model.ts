import type { OpenCase } from '../case/case-folder.js';
import type { CaseFile } from '../case/case-file.js';
import type { Db } from '../store/database.js';
import { listIocRecords, type IocRecord } from './ioc-store.js';
import { findSightings, summarizeSighting, type Sighting, type SightingWithEvents } from './sightings.js';

export interface IocWithSighting extends IocRecord {
  sighting: Sighting;
}

/** A DNS answer seen in the case that links a tagged domain to a tagged address. */
export interface Resolution {
  domain: string;
  address: string;
}

/** Everything an export needs, read once so every format describes the same case state. */
export interface IocExportModel {
  caseMeta: CaseFile;
  iocs: IocWithSighting[];
  resolutions: Resolution[];
}

export function buildIocExportModel(opened: Pick<OpenCase, 'db' | 'meta'>): IocExportModel {
  const withEvents = listIocRecords(opened.db).map((ioc) => ({ ioc, sighting: findSightings(opened.db, ioc) }));
  return {
    caseMeta: opened.meta,
    iocs: withEvents.map(({ ioc, sighting }) => ({ ...ioc, sighting: summarizeSighting(sighting) })),
    resolutions: findResolutions(opened.db, withEvents),
  };
}

/** Tagged domains whose DNS answers in the case name a tagged address. */
function findResolutions(db: Db, iocs: { ioc: IocRecord; sighting: SightingWithEvents }[]): Resolution[] {
  const addresses = new Set(iocs.filter(({ ioc }) => ioc.type === 'ipv4' || ioc.type === 'ipv6').map(({ ioc }) => ioc.value));
  if (addresses.size === 0) return [];
  const resolutions: Resolution[] = [];
  const select = db.prepare(`SELECT record FROM events WHERE id = ? AND log = 'dns'`).pluck();
  for (const { ioc, sighting } of iocs) {
    if (ioc.type !== 'domain') continue;
    const found = new Set<string>();
    for (const eventId of sighting.eventIds) {
      const text = select.get(eventId) as string | undefined;
      if (text === undefined) continue;
      const record = JSON.parse(text) as Record<string, unknown>;
      const answers = Array.isArray(record.answers) ? record.answers : [];
      for (const answer of answers) {
        if (typeof answer === 'string' && addresses.has(answer)) found.add(answer);
      }
    }
    for (const address of [...found].sort()) resolutions.push({ domain: ioc.value, address });
  }
  return resolutions;
}
