// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import SplitPane from '../../renderer/src/components/layout/SplitPane.vue';

describe('SplitPane', () => {
  it('moves the divider with the arrow keys and stops at the minimum', async () => {
    const wrapper = mount(SplitPane, { props: { label: 'Resize', initial: 14, min: 10 }, slots: { first: 'A', second: 'B' } });
    const divider = wrapper.get('[role="separator"]');

    await divider.trigger('keydown', { key: 'ArrowRight' });
    expect(divider.attributes('aria-valuenow')).toBe('16');

    for (let step = 0; step < 5; step += 1) await divider.trigger('keydown', { key: 'ArrowLeft' });
    expect(divider.attributes('aria-valuenow')).toBe('10');
    expect(wrapper.get('.pane').attributes('style')).toContain('flex-basis: 10%');
  });
});
