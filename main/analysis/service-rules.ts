import type { EntityRef } from './extract.js';
import { byTime, newFinding, uniqueEntities, withTimes, type Contact, type DetectionContext, type Finding } from './detection-context.js';
import type { RuleOfType } from './rules.js';

/** Reports one finding per source host that contacted the service in the window. */
export function detectServiceContact(context: DetectionContext, rule: RuleOfType<'service-contact'>): Finding[] {
  const contacts = context.contacts(rule.service, rule.logs).filter((contact) => !rule.internalSourceOnly || (contact.host !== null && context.networks.isInternal(contact.host)));
  return [...groupByHost(contacts)].map(([host, group]) => contactFinding(context, rule, host, group));
}

/**
 * Reports one finding per source host that contacted the service at least `minCount` times within
 * `withinSeconds`; the events are those of every such run.
 */
export function detectServiceBurst(context: DetectionContext, rule: RuleOfType<'service-burst'>): Finding[] {
  const findings: Finding[] = [];
  for (const [host, group] of groupByHost(context.contacts(rule.service, rule.logs))) {
    const timed = group.filter((contact) => contact.ts !== null);
    const inBurst = new Set<Contact>();
    let start = 0;
    for (let end = 0; end < timed.length; end++) {
      while (timed[end]!.ts! - timed[start]!.ts! > rule.withinSeconds * 1_000_000) start++;
      if (end - start + 1 >= rule.minCount) for (let i = start; i <= end; i++) inBurst.add(timed[i]!);
    }
    if (inBurst.size === 0) continue;
    const finding = contactFinding(context, rule, host, [...inBurst].sort(byTime));
    finding.notes.push(`${inBurst.size} lookups, at least ${rule.minCount} of them within ${rule.withinSeconds} s.`);
    findings.push(finding);
  }
  return findings;
}

/**
 * Reports one finding per source host whose contacts with the service lie within `withinSeconds` of a
 * contact with one of the `near` services by the same host.
 */
export function detectServiceNear(context: DetectionContext, rule: RuleOfType<'service-near'>): Finding[] {
  const nearTimes = new Map<string, number[]>();
  for (const service of rule.near) {
    for (const contact of context.contacts(service, ['dns', 'http', 'ssl'])) {
      if (contact.host === null || contact.ts === null) continue;
      const times = nearTimes.get(contact.host) ?? [];
      times.push(contact.ts);
      nearTimes.set(contact.host, times);
    }
  }

  const findings: Finding[] = [];
  const limit = rule.withinSeconds * 1_000_000;
  for (const [host, group] of groupByHost(context.contacts(rule.service, rule.logs))) {
    const times = nearTimes.get(host) ?? [];
    const near = group.filter((contact) => contact.ts !== null && times.some((ts) => Math.abs(ts - contact.ts!) <= limit));
    if (near.length === 0) continue;
    const finding = contactFinding(context, rule, host, near);
    finding.notes.push(`Contacted within ${rule.withinSeconds} s of contact with ${rule.near.map((id) => context.rules.services.get(id)!.title).join(' or ')}.`);
    findings.push(finding);
  }
  return findings;
}

function groupByHost(contacts: Contact[]): Map<string, Contact[]> {
  const groups = new Map<string, Contact[]>();
  for (const contact of contacts) {
    const key = contact.host ?? '';
    const group = groups.get(key) ?? [];
    group.push(contact);
    groups.set(key, group);
  }
  return groups;
}

function contactFinding(context: DetectionContext, rule: RuleOfType<'service-contact' | 'service-burst' | 'service-near'>, host: string, contacts: Contact[]): Finding {
  const entities: EntityRef[] = host ? [{ kind: 'host', value: host }] : [];
  for (const contact of contacts) {
    entities.push({ kind: contact.nameKind, value: contact.name });
    if (contact.nameKind === 'domain') for (const address of context.resolvedAddresses(contact.name)) entities.push({ kind: 'host', value: address });
  }
  const finding = newFinding(rule, host || 'unknown-host', { entities: uniqueEntities(entities), eventIds: contacts.map((contact) => contact.eventId) });
  const service = context.rules.services.get(rule.service)!;
  finding.notes.push(`${contacts.length} events name one of the ${service.title}.`);
  return withTimes(finding, contacts.map((contact) => contact.ts));
}
