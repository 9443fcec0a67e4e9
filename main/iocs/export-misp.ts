import { microsToIso } from '../time.js';
import type { IocExportModel, IocWithSighting } from './export-model.js';
import type { IocType, Verdict } from './ioc-values.js';
import { uuidV5 } from './uuid.js';

/** MISP attribute type and category per IOC type (MISP core format, default categories). */
const MISP_TYPES: Record<IocType, { type: string; category: string }> = {
  domain: { type: 'domain', category: 'Network activity' },
  ipv4: { type: 'ip-dst', category: 'Network activity' },
  ipv6: { type: 'ip-dst', category: 'Network activity' },
  email: { type: 'email', category: 'Network activity' },
  url: { type: 'url', category: 'Network activity' },
  md5: { type: 'md5', category: 'Payload delivery' },
  sha1: { type: 'sha1', category: 'Payload delivery' },
  sha256: { type: 'sha256', category: 'Payload delivery' },
  'user-agent': { type: 'user-agent', category: 'Network activity' },
  ja3: { type: 'ja3-fingerprint-md5', category: 'Network activity' },
};

/**
 * `to_ids` marks attributes that detection systems should alert on. Only malicious values get it:
 * suspicious ones still need review, and alerting on benign or unknown values makes noise.
 */
const TO_IDS: Record<Verdict, boolean> = { malicious: true, suspicious: false, benign: false, unknown: false };

/** MISP threat levels: 1 high, 2 medium, 3 low, 4 undefined. */
const THREAT_LEVEL: Record<Verdict, string> = { malicious: '1', suspicious: '2', benign: '4', unknown: '4' };

/**
 * Builds one MISP event (the JSON that MISP's "Import from MISP format" reads) with one attribute
 * per IOC. Uuids are UUIDv5 of the case id and the value and timestamps come from the case, so
 * the same case state always gives the same bytes.
 */
export function exportMisp(model: IocExportModel): string {
  const namespace = model.caseMeta.id;
  const latestUpdate = model.iocs.map((ioc) => ioc.updatedAt).sort().at(-1) ?? model.caseMeta.created;
  const worstVerdict = (['malicious', 'suspicious', 'benign', 'unknown'] as const).find((verdict) => model.iocs.some((ioc) => ioc.verdict === verdict)) ?? 'unknown';

  const event = {
    Event: {
      uuid: uuidV5(namespace, 'misp-event'),
      info: `Netcase case "${model.caseMeta.name}": indicators tagged by ${model.caseMeta.analyst}`,
      date: model.caseMeta.created.slice(0, 10),
      timestamp: epochSeconds(latestUpdate),
      threat_level_id: THREAT_LEVEL[worstVerdict],
      // 2 = completed: every attribute carries an analyst's verdict.
      analysis: '2',
      // 0 = your organisation only; the analyst widens sharing inside MISP.
      distribution: '0',
      published: false,
      Orgc: { name: model.caseMeta.analyst, uuid: uuidV5(namespace, `misp-organisation:${model.caseMeta.analyst}`) },
      Tag: [{ name: 'tlp:amber' }],
      Attribute: model.iocs.map((ioc) => toAttribute(ioc, namespace)),
    },
  };
  return `${JSON.stringify(event, null, 2)}\n`;
}

function toAttribute(ioc: IocWithSighting, namespace: string): Record<string, unknown> {
  const misp = MISP_TYPES[ioc.type];
  const { firstSeen, lastSeen } = ioc.sighting;
  const comment = [`verdict: ${ioc.verdict}`, ioc.confidence === null ? '' : `confidence: ${ioc.confidence}`, ioc.note].filter(Boolean).join('; ');
  return {
    uuid: uuidV5(namespace, `misp-attribute:${ioc.type}:${ioc.value}`),
    type: misp.type,
    category: misp.category,
    value: ioc.value,
    to_ids: TO_IDS[ioc.verdict],
    comment,
    timestamp: epochSeconds(ioc.updatedAt),
    distribution: '5',
    ...(firstSeen === null ? {} : { first_seen: microsToIso(firstSeen) }),
    ...(lastSeen === null ? {} : { last_seen: microsToIso(lastSeen) }),
    Tag: [{ name: `netcase:verdict="${ioc.verdict}"` }, ...ioc.tags.map((tag) => ({ name: tag }))],
  };
}

function epochSeconds(iso: string): string {
  return String(Math.floor(Date.parse(iso) / 1000));
}
