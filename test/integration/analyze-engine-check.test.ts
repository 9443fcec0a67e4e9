import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCase, openCase } from '../../main/case/case-folder.js';
import { addEvidence } from '../../main/case/evidence.js';
import { analyzeCase } from '../../main/engines/analyze-case.js';
import type { Engine } from '../../main/engines/engine.js';
import { NetcaseError } from '../../main/errors.js';
import { tempDir } from '../helpers/temp.js';
import { CaptureWriter } from '../e2e/browser/fixtures/pcap-writer.js';

/** Writes a pcap file with its global header and no packets. */
function emptyPcap(path: string): string {
  writeFileSync(path, new CaptureWriter(0).toBuffer());
  return path;
}

/** Returns a tshark engine whose version check fails the way a child process killed by `signal` does. */
function engineKilledBy(signal: string): Engine {
  const killed = Object.assign(new Error('Command failed: tshark --version'), { signal });
  return {
    name: 'tshark',
    executable: 'tshark',
    version: () => Promise.reject(new NetcaseError('ENGINE', 'Could not run tshark --version.', { cause: killed })),
    run: () => Promise.reject(new Error('the engine must not run')),
  };
}

describe('analyze engine check', () => {
  it.each(['SIGINT', 'SIGTERM'])('reports %s as a cancel', async (signal) => {
    const dir = join(tempDir(), 'case');
    createCase(dir, { name: 'engine check' });
    const opened = openCase(dir, { write: true });
    await addEvidence(opened, [emptyPcap(join(tempDir(), 'empty.pcap'))]);

    const analysis = analyzeCase(opened, { engine: 'tshark' }, () => engineKilledBy(signal));

    await expect(analysis).rejects.toMatchObject({ code: 'CANCELLED', message: 'Analysis cancelled while checking the engine; no capture was analysed.' });
    expect(opened.db.prepare('SELECT COUNT(*) FROM engine_runs').pluck().get()).toBe(0);
    opened.close();
  });

  it('keeps other check failures', async () => {
    const dir = join(tempDir(), 'case');
    createCase(dir, { name: 'engine check' });
    const opened = openCase(dir, { write: true });
    await addEvidence(opened, [emptyPcap(join(tempDir(), 'empty.pcap'))]);

    const analysis = analyzeCase(opened, { engine: 'tshark' }, () => engineKilledBy('SIGSEGV'));

    await expect(analysis).rejects.toMatchObject({ code: 'ENGINE', message: 'Could not run tshark --version.' });
    opened.close();
  });
});
