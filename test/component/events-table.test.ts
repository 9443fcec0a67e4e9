// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import EventsPane from '../../renderer/src/components/events/EventsPane.vue';
import { useCaseStore } from '../../renderer/src/stores/case.js';
import { useWorkspaceStore } from '../../renderer/src/stores/workspace.js';
import { useTagMenuStore } from '../../renderer/src/stores/tag-menu.js';
import { CASE_START, fakeCaseInfo, fakeEvent, fakeLayout, installFakeApi } from './pane-fakes.js';

const ROW_HEIGHT = 22;
const HEADER_HEIGHT = 24;
/** Ten rows fit the fake viewport. */
const PANE_HEIGHT = HEADER_HEIGHT + 10 * ROW_HEIGHT;

let wrapper: VueWrapper | null = null;

async function mountPane(total = 1_000_000) {
  const api = installFakeApi({ total });
  const pinia = createPinia();
  setActivePinia(pinia);
  useCaseStore().info = fakeCaseInfo();
  wrapper = mount(EventsPane, { global: { plugins: [pinia] }, attachTo: document.body });
  await flushPromises();
  return { api, wrapper, workspace: useWorkspaceStore() };
}

async function scrollTo(target: VueWrapper, top: number): Promise<void> {
  const scroller = target.get('[role="grid"]').element as HTMLElement;
  Object.defineProperty(scroller, 'scrollTop', { configurable: true, writable: true, value: top });
  scroller.dispatchEvent(new Event('scroll'));
  await vi.advanceTimersByTimeAsync(100);
  await flushPromises();
}

const rowTimes = (target: VueWrapper): number[] => target.findAll('[data-testid="events-row"]').map((row) => Number(row.attributes('data-ts')));

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  fakeLayout(800, PANE_HEIGHT);
});

afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('EventsPane', () => {
  it('renders only the visible rows of a million', async () => {
    const { api, wrapper } = await mountPane();

    expect(api.events.search).toHaveBeenCalledTimes(1);
    expect(api.events.search).toHaveBeenCalledWith({ limit: 200, offset: 0 });
    expect(wrapper.get('[data-testid="events-total"]').text()).toBe('1\u202f000\u202f000');
    const rows = rowTimes(wrapper);
    expect(rows.length).toBeGreaterThanOrEqual(10);
    expect(rows.length).toBeLessThanOrEqual(30);
    expect(rows[0]).toBe(fakeEvent(0).ts);
  });

  it('requests the page under the scroll position', async () => {
    const { api, wrapper } = await mountPane();
    const content = wrapper.get('.content').element as HTMLElement;
    const height = Number.parseFloat(content.style.height);
    expect(height).toBe(10_000_000);

    // Scrolled to the middle of the content, the view is at the middle of the list.
    const viewport = PANE_HEIGHT - HEADER_HEIGHT;
    await scrollTo(wrapper, (height - viewport) / 2);
    const middle = Math.floor((1_000_000 * ROW_HEIGHT - viewport) / 2 / ROW_HEIGHT);
    const offsets = api.events.search.mock.calls.map(([request]) => request.offset);
    expect(offsets).toContain(Math.floor((middle - 6) / 200) * 200);
    expect(offsets).not.toContain(200);

    const rows = rowTimes(wrapper);
    expect(rows.length).toBeLessThanOrEqual(30);
    expect(rows).toContain(fakeEvent(middle).ts);
    expect(rows).not.toContain(fakeEvent(0).ts);
  });

  it('requests the next page near a page end', async () => {
    const { api, wrapper } = await mountPane(5000);

    await scrollTo(wrapper, 195 * ROW_HEIGHT);
    const offsets = api.events.search.mock.calls.map(([request]) => request.offset);
    expect(offsets).toEqual([0, 200]);
  });

  it('fast scrolling fetches only where it stops', async () => {
    const { api, wrapper } = await mountPane(50_000);
    const scroller = wrapper.get('[role="grid"]').element as HTMLElement;

    for (const row of [5000, 12_000, 20_000, 31_000]) {
      Object.defineProperty(scroller, 'scrollTop', { configurable: true, writable: true, value: row * ROW_HEIGHT });
      scroller.dispatchEvent(new Event('scroll'));
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(100);
    await flushPromises();

    const offsets = api.events.search.mock.calls.map(([request]) => request.offset);
    expect(offsets).toEqual([0, 30_800, 31_000]);
  });

  it('passes the window with its end included', async () => {
    const { api, workspace } = await mountPane();

    workspace.setWindow({ from: CASE_START + 5_000_000, to: CASE_START + 7_000_000 });
    await flushPromises();
    expect(api.events.search).toHaveBeenLastCalledWith({ from: CASE_START + 5_000_000, to: CASE_START + 7_000_001, limit: 200, offset: 0 });
  });

  it('search waits for a pause in typing', async () => {
    const { api, wrapper, workspace } = await mountPane();
    const input = wrapper.get('[data-testid="events-search"]');

    await input.setValue('exam');
    await vi.advanceTimersByTimeAsync(100);
    await input.setValue('example.com');
    await vi.advanceTimersByTimeAsync(100);
    expect(api.events.search).toHaveBeenCalledTimes(1);

    await vi.advanceTimersByTimeAsync(300);
    await flushPromises();
    expect(workspace.eventFilter.text).toBe('example.com');
    expect(api.events.search).toHaveBeenCalledTimes(2);
    expect(api.events.search).toHaveBeenLastCalledWith({ text: 'example.com', limit: 200, offset: 0 });
  });

  it('log filter shows the log fields', async () => {
    const { api, wrapper } = await mountPane();
    const headers = () => wrapper.findAll('[role="columnheader"]').map((header) => header.text());
    expect(headers()).toEqual(['Time (UTC)', 'Log', 'Summary', 'Originator', 'Responder', 'Proto', 'UID']);

    await wrapper.get('[data-testid="events-log-filter"]').setValue('dns');
    await flushPromises();
    expect(api.events.search).toHaveBeenLastCalledWith({ log: 'dns', limit: 200, offset: 0 });
    expect(headers()).toEqual(['Time (UTC)', 'UID', 'Originator', 'Responder', 'proto', 'query', 'qtype_name', 'answers', 'service', 'orig_bytes', 'resp_bytes']);
  });

  it('uid click pivots to the connection', async () => {
    const { api, wrapper, workspace } = await mountPane();

    await wrapper.get('[data-pivot-kind="uid"][data-pivot-value="C2"]').trigger('click');
    await flushPromises();
    expect(workspace.eventFilter).toEqual({ uid: 'C2' });
    expect(api.events.search).toHaveBeenLastCalledWith({ uid: 'C2', limit: 200, offset: 0 });
    expect(workspace.selection).toBeNull();
  });

  it('address click pivots to the host', async () => {
    const { wrapper, workspace } = await mountPane();

    await wrapper.get('[data-pivot-kind="host"][data-pivot-value="203.0.113.9"]').trigger('click');
    expect(workspace.eventFilter).toEqual({ entity: { kind: 'host', value: '203.0.113.9' } });
    expect(wrapper.text()).toContain('host 203.0.113.9');
  });

  it('row click selects the event', async () => {
    const { wrapper, workspace } = await mountPane();

    await wrapper.findAll('[data-testid="events-row"]')[3]!.trigger('click');
    expect(workspace.selection).toEqual({ type: 'event', id: 4 });
    expect(workspace.selectedEvent?.uid).toBe('C3');
    expect(wrapper.findAll('[data-testid="events-row"]')[3]!.attributes('aria-selected')).toBe('true');
  });

  it('arrow keys move the selection', async () => {
    const { wrapper, workspace } = await mountPane();
    const grid = wrapper.get('[role="grid"]');

    await grid.trigger('keydown', { key: 'ArrowDown' });
    await grid.trigger('keydown', { key: 'ArrowDown' });
    expect(workspace.selection).toEqual({ type: 'event', id: 2 });
    await grid.trigger('keydown', { key: 'ArrowUp' });
    expect(workspace.selection).toEqual({ type: 'event', id: 1 });
  });

  it('right click opens the tag menu', async () => {
    const { wrapper } = await mountPane();

    await wrapper.get('[data-pivot-kind="domain"][data-pivot-value="host0.example.com"]').trigger('contextmenu', { clientX: 40, clientY: 60 });
    expect(useTagMenuStore().target).toEqual({ value: 'host0.example.com', kind: 'domain', x: 40, y: 60 });
  });

  it('markup in a record stays text', async () => {
    const payload = '<img src=x onerror="window.__ran=1"><script>window.__ran=2</script>';
    const row = { ...fakeEvent(0), log: 'http', record: JSON.stringify({ ts: 1, uid: 'C0', host: 'example.com', uri: payload, user_agent: payload }) };
    installFakeApi({ total: 1, events: () => [row] });
    const pinia = createPinia();
    setActivePinia(pinia);
    useCaseStore().info = fakeCaseInfo();
    wrapper = mount(EventsPane, { global: { plugins: [pinia] }, attachTo: document.body });
    await flushPromises();

    expect(wrapper.find('img').exists()).toBe(false);
    expect(wrapper.find('script').exists()).toBe(false);
    expect(wrapper.get('[data-testid="events-row"]').text()).toContain(payload);
  });

  it('Find command focuses the search', async () => {
    const { api, wrapper } = await mountPane();
    const listener = api.app.onCommand.mock.calls[0]![0];

    listener({ command: 'find' });
    expect(document.activeElement).toBe(wrapper.get('[data-testid="events-search"]').element);
  });

  it('shows a failed search in the pane', async () => {
    const { api, wrapper, workspace } = await mountPane();
    api.events.search.mockRejectedValueOnce({ code: 'INVALID_ARGUMENT', message: 'The search text is invalid.' });

    workspace.setEventFilter({ text: '"' });
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toBe('The events could not be loaded: The search text is invalid.');
    await vi.advanceTimersByTimeAsync(500);
    expect(api.events.search).toHaveBeenCalledTimes(2);
  });
});
