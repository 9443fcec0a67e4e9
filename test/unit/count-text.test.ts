import { describe, expect, it } from 'vitest';
import { countText } from '../../main/cli/count-text.js';

describe('countText', () => {
  it.each([
    [0, 'records'],
    [1, 'record'],
    [2, 'records'],
  ])('writes %i with its noun', (count, noun) => {
    expect(countText(count, 'record')).toBe(`${count} ${noun}`);
  });

  it('takes an irregular plural', () => {
    expect(countText(2, 'analysis', 'analyses')).toBe('2 analyses');
  });
});
