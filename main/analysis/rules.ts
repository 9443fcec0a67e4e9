import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { NetcaseError } from '../errors.js';

/** Severities in increasing order. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Incident stages in their usual order; stages are listed by their first time, this order breaks ties. */
export const STAGES = ['staging', 'delivery', 'discovery', 'geolocation', 'command-and-control', 'exfiltration'] as const;
export type Stage = (typeof STAGES)[number];

export const STAGE_TITLES: Record<Stage, string> = {
  staging: 'Staging',
  delivery: 'Delivery',
  discovery: 'IP discovery',
  geolocation: 'Geolocation',
  'command-and-control': 'C2 channel',
  exfiltration: 'Exfiltration',
};

const pattern = z.string().refine(
  (text) => {
    try {
      new RegExp(text, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid regular expression' },
);

const serviceSchema = z.object({
  title: z.string().min(1),
  domains: z.array(z.string().min(1)).default([]),
  patterns: z.array(pattern).default([]),
  urlPatterns: z.array(pattern).default([]),
});

const baseRule = {
  id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'must be lowercase letters, digits, dots and dashes'),
  title: z.string().min(1),
  rationale: z.string().min(1),
  severity: z.enum(SEVERITIES),
  technique: z.string().regex(/^T\d{4}(\.\d{3})?$/, 'must be a MITRE ATT&CK technique id such as T1041 or T1102.002'),
  stage: z.enum(STAGES).optional(),
  enabled: z.boolean().default(true),
};

const logs = z.array(z.string().min(1)).default(['dns', 'http', 'ssl']);

const ruleSchema = z.discriminatedUnion('type', [
  z.object({ ...baseRule, type: z.literal('service-contact'), service: z.string(), logs, internalSourceOnly: z.boolean().default(false) }),
  z.object({ ...baseRule, type: z.literal('service-burst'), service: z.string(), logs, minCount: z.number().int().min(2), withinSeconds: z.number().positive() }),
  z.object({ ...baseRule, type: z.literal('service-near'), service: z.string(), near: z.array(z.string()).min(1), withinSeconds: z.number().positive(), logs }),
  z.object({
    ...baseRule,
    type: z.literal('smtp-submission'),
    ports: z.array(z.number().int()).min(1),
    implicitTlsPorts: z.array(z.number().int()).default([465]),
    mailServers: z.array(z.string()).default([]),
  }),
  z.object({ ...baseRule, type: z.literal('ftp-upload'), commands: z.array(z.string()).min(1) }),
  z.object({
    ...baseRule,
    type: z.literal('http-form-post'),
    methods: z.array(z.string()).min(1),
    maxHostRequests: z.number().int().min(1),
    maxHostClients: z.number().int().min(1),
    highWhenIpHost: z.boolean().default(false),
    highWhenFileUpload: z.boolean().default(false),
  }),
  z.object({ ...baseRule, type: z.literal('executable-transfer'), mimeTypes: z.array(z.string()), extensions: z.array(z.string()) }),
  z.object({ ...baseRule, type: z.literal('rare-tld'), maxDomains: z.number().int().min(1), commonTlds: z.array(z.string()), suspiciousTlds: z.array(z.string()).default([]) }),
]);

const packSchema = z.object({
  format: z.literal('netcase-rules'),
  version: z.literal(1),
  services: z.record(z.string(), serviceSchema).default({}),
  rules: z.array(ruleSchema).default([]),
});

export type ServiceList = z.infer<typeof serviceSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type RuleOfType<T extends Rule['type']> = Extract<Rule, { type: T }>;

/** Service lists and rules after merging every pack; a later pack replaces entries with the same id. */
export interface RuleSet {
  services: Map<string, ServiceList>;
  rules: Rule[];
  /** Files the set was read from, in order. */
  sources: string[];
}

/**
 * Loads the rule packs shipped in resources/rules (all *.json, in name order), then the
 * analyst's file if given. A service list or rule in a later file replaces the one with the
 * same id, so an analyst can tune a threshold, extend a list or switch a rule off
 * (`"enabled": false`).
 */
export function loadRules(extraFile?: string, rulesDir = defaultRulesDir()): RuleSet {
  const files = readdirSync(rulesDir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => join(rulesDir, name));
  if (extraFile !== undefined) {
    if (!existsSync(extraFile)) throw new NetcaseError('NOT_FOUND', `Rule file ${extraFile} not found. Check the path given to --rules.`);
    files.push(extraFile);
  }

  const set: RuleSet = { services: new Map(), rules: [], sources: files };
  for (const file of files) mergePack(set, readPack(file));
  for (const rule of set.rules) checkServiceReferences(rule, set.services);
  return set;
}

function readPack(file: string): z.infer<typeof packSchema> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new NetcaseError('INPUT_INVALID', `Rule file ${file} is not valid JSON: ${(error as Error).message}. Fix the file or leave it out.`, { cause: error });
  }
  const parsed = packSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(top level)'} ${issue.message}`);
    throw new NetcaseError('INPUT_INVALID', `Rule file ${file} is invalid: ${problems.join('; ')}. Expected {"format": "netcase-rules", "version": 1, "services": {...}, "rules": [...]}.`, {
      details: parsed.error.issues,
    });
  }
  return parsed.data;
}

function mergePack(set: RuleSet, pack: z.infer<typeof packSchema>): void {
  for (const [id, service] of Object.entries(pack.services)) set.services.set(id, service);
  for (const rule of pack.rules) {
    const index = set.rules.findIndex((existing) => existing.id === rule.id);
    if (index >= 0) set.rules[index] = rule;
    else set.rules.push(rule);
  }
}

function checkServiceReferences(rule: Rule, services: Map<string, ServiceList>): void {
  const names = 'service' in rule ? [rule.service, ...('near' in rule ? rule.near : [])] : [];
  for (const name of names) {
    if (!services.has(name)) {
      throw new NetcaseError('INPUT_INVALID', `Rule ${rule.id} refers to service list "${name}", which no rule file defines. Known lists: ${[...services.keys()].join(', ')}.`);
    }
  }
}

/** resources/rules of the packaged app (beside app.asar) or of the source tree. */
export function defaultRulesDir(): string {
  const packaged = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (packaged && existsSync(join(packaged, 'rules'))) return join(packaged, 'rules');

  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const candidate = join(dir, 'resources', 'rules');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new NetcaseError('INTERNAL', 'The rule folder resources/rules was not found next to the app. Reinstall Netcase.');
}

/** Matches names and URLs against one service list. */
export class ServiceMatcher {
  private readonly domains: string[];
  private readonly patterns: RegExp[];
  private readonly urlPatterns: RegExp[];

  constructor(service: ServiceList) {
    this.domains = service.domains.map((name) => name.toLowerCase());
    this.patterns = service.patterns.map((text) => new RegExp(text, 'i'));
    this.urlPatterns = service.urlPatterns.map((text) => new RegExp(text, 'i'));
  }

  /** True for a listed domain, any subdomain of one, or a name matching a pattern. */
  matchesDomain(name: string): boolean {
    const lower = name.toLowerCase();
    return this.domains.some((listed) => lower === listed || lower.endsWith(`.${listed}`)) || this.patterns.some((regex) => regex.test(lower));
  }

  matchesUrl(url: string): boolean {
    return this.urlPatterns.some((regex) => regex.test(url));
  }
}
