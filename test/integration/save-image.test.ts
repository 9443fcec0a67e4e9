import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IpcHarness } from '../helpers/ipc.js';

/** A complete 1×1 PNG: signature, IHDR, one IDAT row and IEND. */
const ONE_PIXEL_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63d0cfbffd1f0004c30279c517a66f0000000049454e44ae426082',
  'hex',
);

describe('exports.saveImage', () => {
  const harness = new IpcHarness();

  afterAll(() => rmSync(harness.root, { recursive: true, force: true }));

  it('writes the PNG to the chosen file', async () => {
    const out = join(harness.root, 'graph.png');
    const token = await harness.token('save-image', out);

    const saved = await harness.call('exports.saveImage', { out: token, png: ONE_PIXEL_PNG.toString('base64') });

    expect(saved).toEqual({ path: out, bytes: ONE_PIXEL_PNG.length });
    expect(readFileSync(out).equals(ONE_PIXEL_PNG)).toBe(true);
  });

  it('rejects bytes that are not a PNG', async () => {
    const out = join(harness.root, 'not-an-image.png');
    const token = await harness.token('save-image', out);

    const error = await harness.fail('exports.saveImage', { out: token, png: Buffer.from('<svg></svg>').toString('base64') });

    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('is not a PNG');
    expect(existsSync(out)).toBe(false);
  });

  it('rejects a token chosen for another purpose', async () => {
    const out = join(harness.root, 'iocs.png');
    const token = await harness.token('save-ioc-export', out);

    const error = await harness.fail('exports.saveImage', { out: token, png: ONE_PIXEL_PNG.toString('base64') });

    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('not for this action');
    expect(existsSync(out)).toBe(false);
  });

  it('rejects text that is not base64', async () => {
    const token = await harness.token('save-image', join(harness.root, 'bad.png'));

    const error = await harness.fail('exports.saveImage', { out: token, png: 'not base64!' });

    expect(error.code).toBe('INVALID_ARGUMENT');
  });
});
