import { NetcaseError, isNetcaseError } from '../errors.js';
import type { Engine } from './engine.js';
import { createZeekEngine, findZeek, type FindZeekOptions, type ZeekLocation } from './zeek.js';

export type EngineRequest = 'auto' | 'zeek' | 'tshark';

export const ENGINE_REQUESTS: readonly EngineRequest[] = ['auto', 'zeek', 'tshark'];

export interface EngineChoice {
  engine: Engine;
  version: string;
  requested: EngineRequest;
  /** One sentence for the analyst and the run record: which program runs and why. */
  reason: string;
}

export interface ChooseEngineOptions extends FindZeekOptions {
  /** Builds the tshark engine; the tshark program path is the engine's own business. */
  createTshark: () => Engine;
  /** Builds the Zeek engine for a found program; tests replace it. */
  createZeek?: (location: ZeekLocation) => Engine;
}

const SOURCE_WORDS: Record<ZeekLocation['source'], string> = {
  bundled: 'the Zeek bundled with Netcase',
  configured: 'the configured Zeek',
  path: 'Zeek found on PATH',
};

/**
 * Picks the engine for a run. `auto` prefers Zeek (bundled, then configured, then PATH) and
 * falls back to tshark; `zeek` and `tshark` use that engine or fail saying what is missing.
 * The engine's version is read here, so a program that is present but broken is found before
 * any run starts.
 */
export async function chooseEngine(requested: EngineRequest, options: ChooseEngineOptions): Promise<EngineChoice> {
  if (!ENGINE_REQUESTS.includes(requested)) {
    throw new NetcaseError('USAGE', `Unknown engine "${requested}". Choose auto, zeek or tshark.`);
  }
  const createZeek = options.createZeek ?? createZeekEngine;

  if (requested === 'tshark') {
    const engine = options.createTshark();
    return { engine, version: await engine.version(), requested, reason: `tshark was requested (${engine.executable}).` };
  }

  const search = findZeek(options);
  let zeekProblem: string;
  if (search.found) {
    const engine = createZeek(search.found);
    try {
      const version = await engine.version();
      const reason = `${requested === 'zeek' ? 'Zeek was requested; using' : 'Using'} ${SOURCE_WORDS[search.found.source]} (${search.found.executable}).`;
      return { engine, version, requested, reason };
    } catch (error) {
      if (requested === 'zeek' || !isNetcaseError(error)) throw error;
      zeekProblem = `${SOURCE_WORDS[search.found.source]} at ${search.found.executable} does not work (${error.message})`;
    }
  } else {
    if (requested === 'zeek') {
      throw new NetcaseError('NOT_FOUND', `Zeek not found. Looked at: ${search.tried.join('; ')}. Install Zeek, set NETCASE_ZEEK to the zeek program, or use --engine tshark.`);
    }
    zeekProblem = `no Zeek found (looked at: ${search.tried.join('; ')})`;
  }

  const engine = options.createTshark();
  let version: string;
  try {
    version = await engine.version();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new NetcaseError('NOT_FOUND', `No capture engine is available: ${zeekProblem}, and tshark failed: ${message} Install Zeek or Wireshark's tshark.`, { cause: error });
  }
  return { engine, version, requested, reason: `Falling back to tshark (${engine.executable}) because ${zeekProblem}.` };
}
