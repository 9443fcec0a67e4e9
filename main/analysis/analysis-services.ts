import { appendAudit } from '../case/audit.js';
import { openCase, withCase } from '../case/case-folder.js';
import type { Db } from '../store/database.js';
import { countEvents, searchEvents, type EventPage, type EventSearch } from './event-search.js';
import { runDetections, type FindingsResult } from './findings.js';
import { buildGraph, type Graph, type GraphOptions } from './graph.js';
import { rebuildAnalysis } from './indexer.js';
import { caseLocalNetworks, saveLocalNetworks, savedLocalNetworks } from './case-networks.js';
import { DEFAULT_LOCAL_NETWORKS } from './networks.js';
import { loadRules, type RuleSet, type Severity } from './rules.js';
import { buildTimeline, type Timeline, type TimelineOptions } from './timeline.js';
import type { TimeWindow } from './window.js';

/** Settings every analysis call accepts. */
export interface AnalysisSettings {
  /**
   * CIDR networks counted as internal for this request. Without them, the networks saved with
   * the case apply, else RFC 1918, RFC 4193, link-local and loopback.
   */
  localNetworks?: string[];
}

export interface FindingsRequest extends TimeWindow, AnalysisSettings {
  /** A rule file of the analyst's, read after the shipped packs. */
  rulesFile?: string;
  minSeverity?: Severity;
}

export interface RebuildSummary {
  events: number;
  entities: number;
  relations: number;
}

export interface AnalysisServices {
  graph(dir: string, options: Omit<GraphOptions, 'localNetworks'> & AnalysisSettings): Graph;
  timeline(dir: string, options: TimelineOptions): Timeline;
  searchEvents(dir: string, search: EventSearch): EventPage & { total: number };
  findings(dir: string, request: FindingsRequest): FindingsResult;
  /** Rebuilds entities, relations, buckets and the full-text index from the stored events. */
  rebuildAnalysis(dir: string): Promise<RebuildSummary>;
  /** The case's local networks and whether they are the defaults. */
  localNetworks(dir: string): { networks: string[]; saved: boolean };
  /** Saves the case's local networks; null goes back to the defaults. */
  setLocalNetworks(dir: string, networks: string[] | null): Promise<{ networks: string[]; saved: boolean }>;
}

/**
 * Analysis operations. The shipped rule packs are loaded once, here, and a broken pack fails
 * each findings request with its error instead of stopping every other command. A rule file
 * of the analyst's is read on each request, so edits to it take effect at once.
 */
export function createAnalysisServices(tool: string): AnalysisServices {
  let shippedRules: RuleSet | undefined;
  let shippedRulesError: unknown;
  try {
    shippedRules = loadRules();
  } catch (error) {
    shippedRulesError = error;
  }
  const readCase = <T>(dir: string, work: (db: Db) => T): T => {
    const opened = openCase(dir, { write: false, tool });
    try {
      return work(opened.db);
    } finally {
      opened.close();
    }
  };

  return {
    graph: (dir, options) => readCase(dir, (db) => buildGraph(db, { ...options, localNetworks: caseLocalNetworks(db, options.localNetworks) })),

    timeline: (dir, options) => readCase(dir, (db) => buildTimeline(db, options)),

    searchEvents: (dir, search) => readCase(dir, (db) => ({ ...searchEvents(db, search), total: countEvents(db, search) })),

    findings: (dir, request) => {
      if (!shippedRules) throw shippedRulesError;
      const rules = request.rulesFile === undefined ? shippedRules : loadRules(request.rulesFile);
      return readCase(dir, (db) =>
        runDetections(db, { from: request.from, to: request.to, rules, localNetworks: caseLocalNetworks(db, request.localNetworks), minSeverity: request.minSeverity }),
      );
    },

    rebuildAnalysis: (dir) =>
      withCase(dir, { write: true, tool }, (opened) =>
        opened.db.transaction((): RebuildSummary => {
          rebuildAnalysis(opened.db);
          const count = (table: string): number => opened.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
          const summary = { events: count('events'), entities: count('entities'), relations: count('relations') };
          appendAudit(opened.db, opened.actor, 'analysis.rebuild', { ...summary });
          return summary;
        })(),
      ),

    localNetworks: (dir) =>
      readCase(dir, (db) => {
        const saved = savedLocalNetworks(db);
        return { networks: saved ?? [...DEFAULT_LOCAL_NETWORKS], saved: saved !== null };
      }),

    setLocalNetworks: (dir, networks) =>
      withCase(dir, { write: true, tool }, (opened) => ({ networks: saveLocalNetworks(opened.db, opened.actor, networks), saved: networks !== null })),
  };
}

