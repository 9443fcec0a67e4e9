import { appendAudit } from '../case/audit.js';
import type { Db } from '../store/database.js';
import { DEFAULT_LOCAL_NETWORKS, LocalNetworks } from './networks.js';

const LOCAL_NETWORKS_KEY = 'local_networks';

/** Reads the local networks saved with the case; null when the analyst kept the defaults. */
export function savedLocalNetworks(db: Db): string[] | null {
  const value = db.prepare('SELECT value FROM case_settings WHERE key = ?').pluck().get(LOCAL_NETWORKS_KEY) as string | undefined;
  return value === undefined ? null : (JSON.parse(value) as string[]);
}

/**
 * Returns the networks that decide which hosts are internal: those given for one request
 * first, then those saved with the case, then the private, link-local and loopback defaults.
 */
export function caseLocalNetworks(db: Db, requested?: readonly string[]): LocalNetworks {
  return new LocalNetworks(requested ?? savedLocalNetworks(db) ?? DEFAULT_LOCAL_NETWORKS);
}

/**
 * Saves the case's local networks, or with null goes back to the defaults, and audits the
 * change. Every network is parsed first, so a bad one changes nothing.
 */
export function saveLocalNetworks(db: Db, actor: string, networks: readonly string[] | null): string[] {
  const cleaned = networks === null ? null : [...new Set(networks.map((network) => network.trim()))];
  if (cleaned !== null) new LocalNetworks(cleaned);

  db.transaction(() => {
    if (cleaned === null) db.prepare('DELETE FROM case_settings WHERE key = ?').run(LOCAL_NETWORKS_KEY);
    else db.prepare('INSERT INTO case_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(LOCAL_NETWORKS_KEY, JSON.stringify(cleaned));
    appendAudit(db, actor, 'settings.local-networks', { networks: cleaned ?? 'defaults' });
  })();
  return cleaned ?? [...DEFAULT_LOCAL_NETWORKS];
}
