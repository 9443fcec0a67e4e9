// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import TagMenu from '../../renderer/src/components/side/TagMenu.vue';
import { useIocStore } from '../../renderer/src/stores/iocs.js';
import { useSidePanelStore } from '../../renderer/src/stores/side-panel.js';
import { useTagMenuStore } from '../../renderer/src/stores/tag-menu.js';
import { useWorkspaceStore } from '../../renderer/src/stores/workspace.js';
import { installIocApi } from './side-fakes.js';

describe('TagMenu', () => {
  let api: ReturnType<typeof installIocApi>;
  let wrapper: VueWrapper;
  let opener: HTMLButtonElement;

  beforeEach(() => {
    setActivePinia(createPinia());
    api = installIocApi();
    opener = document.createElement('button');
    opener.textContent = 'eraqron.shop';
    document.body.append(opener);
    wrapper = mount(TagMenu, { attachTo: document.body });
  });

  afterEach(() => {
    wrapper.unmount();
    opener.remove();
  });

  async function openOn(value = 'eraqron.shop', kind: 'domain' | null = 'domain') {
    opener.focus();
    useTagMenuStore().openFor({ value, kind: kind ?? undefined, x: 120, y: 80 });
    await flushPromises();
    return wrapper.get('[data-testid="tag-menu"]');
  }

  const focusedTestId = () => (document.activeElement as HTMLElement | null)?.dataset.testid;

  it('opens at the target with focus inside', async () => {
    expect(wrapper.find('[data-testid="tag-menu"]').exists()).toBe(false);
    const menu = await openOn();
    expect(menu.attributes('style')).toContain('left: 120px');
    expect(menu.attributes('style')).toContain('top: 80px');
    expect(menu.text()).toContain('eraqron.shop');
    expect(focusedTestId()).toBe('tag-menu-malicious');
  });

  it('arrow keys move and wrap', async () => {
    const menu = await openOn();
    await menu.trigger('keydown', { key: 'ArrowDown' });
    expect(focusedTestId()).toBe('tag-menu-suspicious');
    await menu.trigger('keydown', { key: 'End' });
    expect(focusedTestId()).toBe('tag-menu-pivot');
    await menu.trigger('keydown', { key: 'ArrowDown' });
    expect(focusedTestId()).toBe('tag-menu-malicious');
    await menu.trigger('keydown', { key: 'ArrowUp' });
    expect(focusedTestId()).toBe('tag-menu-pivot');
    await menu.trigger('keydown', { key: 'Home' });
    expect(focusedTestId()).toBe('tag-menu-malicious');
  });

  it('Escape closes and returns focus', async () => {
    const menu = await openOn();
    await menu.trigger('keydown', { key: 'Escape' });
    expect(useTagMenuStore().target).toBeNull();
    expect(wrapper.find('[data-testid="tag-menu"]').exists()).toBe(false);
    expect(document.activeElement).toBe(opener);
  });

  it('verdict button tags the value', async () => {
    const menu = await openOn();
    await menu.get('[data-testid="tag-menu-malicious"]').trigger('click');
    await flushPromises();
    expect(api.tag).toHaveBeenCalledWith({ value: 'eraqron.shop', type: 'domain', verdict: 'malicious' });
    expect(useIocStore().verdictOf('eraqron.shop')).toBe('malicious');
    expect(useTagMenuStore().target).toBeNull();
  });

  it('user agent tagged with its type', async () => {
    useTagMenuStore().openFor({ value: 'Mozilla/4.0 (compatible; MSIE 6.0)', kind: 'user_agent', x: 0, y: 0 });
    await flushPromises();
    await wrapper.get('[data-testid="tag-menu-suspicious"]').trigger('click');
    await flushPromises();
    expect(api.tag).toHaveBeenCalledWith({ value: 'Mozilla/4.0 (compatible; MSIE 6.0)', type: 'user-agent', verdict: 'suspicious' });
  });

  it('marks the current verdict', async () => {
    await useIocStore().tag({ value: 'eraqron.shop', verdict: 'suspicious' });
    const menu = await openOn();
    expect(menu.get('[data-testid="tag-menu-suspicious"]').classes()).toContain('current');
    expect(menu.get('[data-testid="tag-menu-suspicious"]').text()).toContain('(current)');
    expect(menu.get('[data-testid="tag-menu-malicious"]').classes()).not.toContain('current');
  });

  it('rejected tag keeps the menu open', async () => {
    api.tag.mockRejectedValueOnce({ code: 'NOT_FOUND', message: 'No case is open. Create or open a case first.' });
    const menu = await openOn();
    await menu.get('[data-testid="tag-menu-benign"]').trigger('click');
    await flushPromises();
    expect(menu.get('[role="alert"]').text()).toBe('No case is open. Create or open a case first.');
    expect(useTagMenuStore().target).not.toBeNull();
  });

  it('edit opens the IOC editor', async () => {
    const menu = await openOn();
    await menu.get('[data-testid="tag-menu-edit"]').trigger('click');
    const sidePanel = useSidePanelStore();
    expect(sidePanel.tab).toBe('iocs');
    expect(sidePanel.editing).toEqual({ value: 'eraqron.shop', type: 'domain' });
    expect(useTagMenuStore().target).toBeNull();
  });

  it('pivot shows the events', async () => {
    const menu = await openOn('10.1.9.101', null);
    await menu.get('[data-testid="tag-menu-pivot"]').trigger('click');
    const workspace = useWorkspaceStore();
    expect(workspace.eventFilter).toEqual({ entity: { kind: 'host', value: '10.1.9.101' } });
    expect(workspace.selection).toEqual({ type: 'entity', kind: 'host', value: '10.1.9.101' });
  });

  it('pivot disabled without a kind', async () => {
    useTagMenuStore().openFor({ value: 'd41d8cd98f00b204e9800998ecf8427e', type: 'md5', x: 0, y: 0 });
    await flushPromises();
    expect(wrapper.get('[data-testid="tag-menu-pivot"]').attributes('disabled')).toBeDefined();
  });

  it('outside click closes', async () => {
    await openOn();
    const inside = wrapper.get('[data-testid="tag-menu-edit"]').element;
    inside.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    expect(useTagMenuStore().target).not.toBeNull();
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    await flushPromises();
    expect(useTagMenuStore().target).toBeNull();
    expect(wrapper.find('[data-testid="tag-menu"]').exists()).toBe(false);
  });
});
