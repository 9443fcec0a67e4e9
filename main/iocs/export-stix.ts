import { canonicalJson } from '../case/audit.js';
import { microsToIso } from '../time.js';
import type { IocExportModel, IocWithSighting } from './export-model.js';
import type { IocType, Verdict } from './ioc-values.js';
import { buildPattern } from './stix-pattern.js';
import { STIX_SCO_NAMESPACE, uuidV5 } from './uuid.js';

type StixObject = Record<string, unknown> & { type: string; id: string };

/** indicator_types from the STIX 2.1 indicator-type vocabulary, per verdict. */
const INDICATOR_TYPES: Record<Verdict, string> = {
  malicious: 'malicious-activity',
  suspicious: 'anomalous-activity',
  benign: 'benign',
  unknown: 'unknown',
};

/** STIX cyber-observable per IOC type; user agents and JA3 have no standalone observable. */
const OBSERVABLES: Partial<Record<IocType, (value: string) => Record<string, unknown>>> = {
  domain: (value) => ({ type: 'domain-name', value }),
  ipv4: (value) => ({ type: 'ipv4-addr', value }),
  ipv6: (value) => ({ type: 'ipv6-addr', value }),
  email: (value) => ({ type: 'email-addr', value }),
  url: (value) => ({ type: 'url', value }),
  md5: (value) => ({ type: 'file', hashes: { MD5: value } }),
  sha1: (value) => ({ type: 'file', hashes: { 'SHA-1': value } }),
  sha256: (value) => ({ type: 'file', hashes: { 'SHA-256': value } }),
};

/** Upper bounds of STIX integer properties such as number_observed and count. */
const MAX_STIX_COUNT = 999_999_999;

/**
 * Builds a STIX 2.1 bundle with the analyst as identity and an indicator per IOC. An IOC the
 * case saw also gets an observable, observed-data, a sighting and a based-on relationship, and
 * DNS answers between tagged values become resolves-to relationships. Ids are UUIDv5 of the
 * case id and the value, and times come from the case, so the same case state always gives the
 * same bytes.
 */
export function exportStix(model: IocExportModel): string {
  const namespace = model.caseMeta.id;
  const identity: StixObject = {
    type: 'identity',
    spec_version: '2.1',
    id: `identity--${uuidV5(namespace, `identity:${model.caseMeta.analyst}`)}`,
    created: model.caseMeta.created,
    modified: model.caseMeta.created,
    name: model.caseMeta.analyst,
    identity_class: 'individual',
  };

  const objects: StixObject[] = [identity];
  const observableIds = new Map<string, string>();
  for (const ioc of model.iocs) {
    objects.push(...objectsForIoc(ioc, namespace, identity.id, observableIds));
  }
  for (const resolution of model.resolutions) {
    const source = observableIds.get(`domain:${resolution.domain}`);
    const target = observableIds.get(`ipv4:${resolution.address}`) ?? observableIds.get(`ipv6:${resolution.address}`);
    if (!source || !target) continue;
    objects.push({
      type: 'relationship',
      spec_version: '2.1',
      id: `relationship--${uuidV5(namespace, `resolves-to:${resolution.domain}:${resolution.address}`)}`,
      created: model.caseMeta.created,
      modified: model.caseMeta.created,
      created_by_ref: identity.id,
      relationship_type: 'resolves-to',
      source_ref: source,
      target_ref: target,
      description: `DNS answers in the case resolve ${resolution.domain} to ${resolution.address}.`,
    });
  }

  const bundle = { type: 'bundle', id: `bundle--${uuidV5(namespace, `bundle:${canonicalJson(objects)}`)}`, objects };
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

function objectsForIoc(ioc: IocWithSighting, namespace: string, identityId: string, observableIds: Map<string, string>): StixObject[] {
  const key = `${ioc.type}:${ioc.value}`;
  const created = ioc.createdAt;
  const modified = ioc.updatedAt;
  const { firstSeen, lastSeen, events } = ioc.sighting;

  const indicator: StixObject = {
    type: 'indicator',
    spec_version: '2.1',
    id: `indicator--${uuidV5(namespace, `indicator:${key}`)}`,
    created,
    modified,
    created_by_ref: identityId,
    name: `${ioc.type} ${ioc.value}`,
    ...(ioc.note ? { description: ioc.note } : {}),
    indicator_types: [INDICATOR_TYPES[ioc.verdict]],
    pattern: buildPattern(ioc.type, ioc.value),
    pattern_type: 'stix',
    pattern_version: '2.1',
    valid_from: firstSeen === null ? created : microsToIso(firstSeen),
    ...(ioc.confidence === null ? {} : { confidence: ioc.confidence }),
    ...(ioc.tags.length > 0 ? { labels: ioc.tags } : {}),
  };
  const objects: StixObject[] = [indicator];

  const makeObservable = OBSERVABLES[ioc.type];
  let observable: StixObject | undefined;
  if (makeObservable) {
    const properties = makeObservable(ioc.value);
    const { type, ...contributing } = properties;
    observable = { ...properties, type: type as string, spec_version: '2.1', id: `${type as string}--${uuidV5(STIX_SCO_NAMESPACE, canonicalJson(contributing))}` };
    observableIds.set(key, observable.id);
    objects.push(observable);
  }
  if (events === 0 || firstSeen === null || lastSeen === null) return objects;

  const count = Math.min(events, MAX_STIX_COUNT);
  let observedData: StixObject | undefined;
  if (observable) {
    observedData = {
      type: 'observed-data',
      spec_version: '2.1',
      id: `observed-data--${uuidV5(namespace, `observed-data:${key}`)}`,
      created,
      modified,
      created_by_ref: identityId,
      first_observed: microsToIso(firstSeen),
      last_observed: microsToIso(lastSeen),
      number_observed: count,
      object_refs: [observable.id],
    };
    objects.push(observedData, {
      type: 'relationship',
      spec_version: '2.1',
      id: `relationship--${uuidV5(namespace, `based-on:${key}`)}`,
      created,
      modified,
      created_by_ref: identityId,
      relationship_type: 'based-on',
      source_ref: indicator.id,
      target_ref: observedData.id,
    });
  }
  objects.push({
    type: 'sighting',
    spec_version: '2.1',
    id: `sighting--${uuidV5(namespace, `sighting:${key}`)}`,
    created,
    modified,
    created_by_ref: identityId,
    sighting_of_ref: indicator.id,
    first_seen: microsToIso(firstSeen),
    last_seen: microsToIso(lastSeen),
    count,
    where_sighted_refs: [identityId],
    ...(observedData ? { observed_data_refs: [observedData.id] } : {}),
    description: `Seen in ${Object.entries(ioc.sighting.logs).map(([log, n]) => `${n} ${log}`).join(', ')} event(s).`,
  });
  return objects;
}
