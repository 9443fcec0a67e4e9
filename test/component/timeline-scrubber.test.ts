// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import TimelinePane from '../../renderer/src/components/timeline/TimelinePane.vue';
import { useCaseStore } from '../../renderer/src/stores/case.js';
import { useWorkspaceStore } from '../../renderer/src/stores/workspace.js';
import { dispatchShortcut } from '../../renderer/src/shortcuts.js';
import { CASE_LAST, CASE_START, fakeCaseInfo, fakeLayout, installFakeApi, manualAnimationFrames, setTimeZone } from './pane-fakes.js';

const SPAN = CASE_LAST + 1 - CASE_START;
const second = 1_000_000;

let wrapper: VueWrapper | null = null;

async function mountPane() {
  const pinia = createPinia();
  setActivePinia(pinia);
  useCaseStore().info = fakeCaseInfo();
  wrapper = mount(TimelinePane, { global: { plugins: [pinia] }, attachTo: document.body });
  await vi.advanceTimersByTimeAsync(200);
  await flushPromises();
  return { wrapper, workspace: useWorkspaceStore() };
}

function pointer(type: string, clientX: number) {
  return new PointerEvent(type, { clientX, button: 0, pointerId: 1, bubbles: true });
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  fakeLayout(600, 100);
});

afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  setTimeZone(undefined);
});

describe('TimelinePane', () => {
  it('asks for one bucket per two pixels', async () => {
    const api = installFakeApi();
    const { wrapper } = await mountPane();

    expect(api.timeline.get).toHaveBeenCalledTimes(1);
    expect(api.timeline.get).toHaveBeenCalledWith({ from: CASE_START, to: CASE_LAST + 1, buckets: 300 });
    const paths = wrapper.findAll('[data-testid="timeline-histogram"] path');
    expect(paths.map((path) => path.attributes('data-log'))).toEqual(['conn', 'dns']);
    expect(paths[0]!.attributes('style')).toContain('var(--log-conn)');
    expect(paths[1]!.attributes('style')).toContain('var(--log-dns)');
  });

  it('brush drag sets the window on release', async () => {
    const api = installFakeApi();
    const { wrapper, workspace } = await mountPane();
    const histogram = wrapper.get('[data-testid="timeline-histogram"]').element;

    histogram.dispatchEvent(pointer('pointerdown', 150));
    histogram.dispatchEvent(pointer('pointermove', 240));
    histogram.dispatchEvent(pointer('pointermove', 300));
    await vi.advanceTimersByTimeAsync(200);
    expect(workspace.window).toBeNull();
    expect(api.timeline.get).toHaveBeenCalledTimes(1);
    const brush = wrapper.get('[data-testid="timeline-brush"]');
    expect(brush.attributes('style')).toContain('left: 150px');
    expect(brush.attributes('style')).toContain('width: 150px');

    histogram.dispatchEvent(pointer('pointerup', 300));
    await flushPromises();
    expect(workspace.window).toEqual({ from: CASE_START + SPAN / 4, to: CASE_START + SPAN / 2 });
  });

  it('brush dragged leftwards still orders the window', async () => {
    installFakeApi();
    const { wrapper, workspace } = await mountPane();
    const histogram = wrapper.get('[data-testid="timeline-histogram"]').element;

    histogram.dispatchEvent(pointer('pointerdown', 450));
    histogram.dispatchEvent(pointer('pointermove', 150));
    histogram.dispatchEvent(pointer('pointerup', 150));
    await flushPromises();
    expect(workspace.window).toEqual({ from: CASE_START + SPAN / 4, to: CASE_START + (SPAN * 3) / 4 });
  });

  it('click without a drag keeps the window', async () => {
    installFakeApi();
    const { wrapper, workspace } = await mountPane();
    workspace.setWindow({ from: CASE_START + second, to: CASE_START + 2 * second });
    const histogram = wrapper.get('[data-testid="timeline-histogram"]').element;

    histogram.dispatchEvent(pointer('pointerdown', 100));
    histogram.dispatchEvent(pointer('pointerup', 101));
    await flushPromises();
    expect(workspace.window).toEqual({ from: CASE_START + second, to: CASE_START + 2 * second });
  });

  it('hover reads out the bucket', async () => {
    installFakeApi();
    const { wrapper } = await mountPane();
    const histogram = wrapper.get('[data-testid="timeline-histogram"]').element;

    histogram.dispatchEvent(pointer('pointerenter', 0));
    histogram.dispatchEvent(pointer('pointermove', 150));
    await flushPromises();
    expect(wrapper.get('[data-testid="timeline-readout"]').text()).toBe('2026-01-09 18:02:30 – 18:02:32: 6 events (conn 2, dns 4)');

    histogram.dispatchEvent(pointer('pointerleave', 150));
    await flushPromises();
    expect(wrapper.find('[data-testid="timeline-readout"]').exists()).toBe(false);
  });

  it('Escape clears the window', async () => {
    installFakeApi();
    const { wrapper, workspace } = await mountPane();
    workspace.setWindow({ from: CASE_START + second, to: CASE_START + 2 * second });

    await wrapper.get('[data-testid="timeline-histogram"]').trigger('keydown', { key: 'Escape' });
    expect(workspace.window).toBeNull();
  });

  it('Escape elsewhere clears the window', async () => {
    installFakeApi();
    const { workspace } = await mountPane();
    workspace.setWindow({ from: CASE_START + second, to: CASE_START + 2 * second });

    const ran = dispatchShortcut(new KeyboardEvent('keydown', { key: 'Escape' }));
    expect(ran).toBe(true);
    expect(workspace.window).toBeNull();
  });

  it('Escape in another pane keeps the window', async () => {
    installFakeApi();
    const { workspace } = await mountPane();
    const window = { from: CASE_START + second, to: CASE_START + 2 * second };
    workspace.setWindow(window);
    const graphButton = document.createElement('button');
    document.body.append(graphButton);
    graphButton.addEventListener('keydown', (event) => dispatchShortcut(event));

    graphButton.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(workspace.window).toEqual(window);
    graphButton.remove();
  });

  it('typed UTC times set the exact window', async () => {
    installFakeApi();
    const { wrapper, workspace } = await mountPane();

    await wrapper.get('[data-testid="window-from"]').setValue('2026-01-09 18:05:00');
    await wrapper.get('[data-testid="window-to"]').setValue('2026-01-09 18:05:07.250');
    await wrapper.get('[data-testid="window-apply"]').trigger('click');

    expect(workspace.window).toEqual({ from: Date.UTC(2026, 0, 9, 18, 5, 0) * 1000, to: Date.UTC(2026, 0, 9, 18, 5, 7, 250) * 1000 });
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
  });

  it('typed local times convert to UTC', async () => {
    setTimeZone('Asia/Kolkata');
    installFakeApi();
    const { wrapper, workspace } = await mountPane();
    workspace.toggleTimeMode();
    await flushPromises();

    await wrapper.get('[data-testid="window-from"]').setValue('2026-01-09 23:35:00');
    await wrapper.get('[data-testid="window-to"]').setValue('2026-01-09 23:35:07');
    await wrapper.get('[data-testid="window-to"]').trigger('keydown', { key: 'Enter' });

    expect(workspace.window).toEqual({ from: Date.UTC(2026, 0, 9, 18, 5, 0) * 1000, to: Date.UTC(2026, 0, 9, 18, 5, 7) * 1000 });
    workspace.toggleTimeMode();
    await flushPromises();
    expect((wrapper.get('[data-testid="window-from"]').element as HTMLInputElement).value).toBe('2026-01-09 18:05:00.000');
  });

  it('invalid typed time shows an error', async () => {
    installFakeApi();
    const { wrapper, workspace } = await mountPane();

    await wrapper.get('[data-testid="window-from"]').setValue('2026-02-30 18:05:00');
    await wrapper.get('[data-testid="window-to"]').setValue('2026-02-30 18:06:00');
    await wrapper.get('[data-testid="window-apply"]').trigger('click');

    expect(workspace.window).toBeNull();
    expect(wrapper.get('[role="alert"]').text()).toContain('"2026-02-30 18:05:00" is not a valid date and time in UTC');
  });

  it('zoom in fetches the window and zoom out the case', async () => {
    const api = installFakeApi();
    const { wrapper, workspace } = await mountPane();
    const window = { from: CASE_START + 60 * second, to: CASE_START + 120 * second };
    workspace.setWindow(window);

    await wrapper.get('[data-testid="timeline-zoom-in"]').trigger('click');
    await vi.advanceTimersByTimeAsync(200);
    expect(api.timeline.get).toHaveBeenLastCalledWith({ ...window, buckets: 300 });
    expect(wrapper.get('[data-testid="timeline-brush"]').attributes('style')).toContain('left: 0px');

    await wrapper.get('[data-testid="timeline-zoom-out"]').trigger('click');
    await vi.advanceTimersByTimeAsync(200);
    expect(api.timeline.get).toHaveBeenLastCalledWith({ from: CASE_START + 0, to: CASE_START + 180 * second, buckets: 300 });

    await wrapper.get('[data-testid="timeline-zoom-out"]').trigger('click');
    await vi.advanceTimersByTimeAsync(200);
    expect(api.timeline.get).toHaveBeenLastCalledWith({ from: CASE_START, to: CASE_START + 540 * second, buckets: 300 });

    await wrapper.get('[data-testid="timeline-zoom-out"]').trigger('click');
    await vi.advanceTimersByTimeAsync(200);
    expect(api.timeline.get).toHaveBeenLastCalledWith({ from: CASE_START, to: CASE_LAST + 1, buckets: 300 });
    expect(wrapper.get('[data-testid="timeline-zoom-out"]').attributes('disabled')).toBeDefined();
  });

  it('playhead advances over ten seconds', async () => {
    installFakeApi();
    const frames = manualAnimationFrames();
    const { wrapper, workspace } = await mountPane();
    const window = { from: CASE_START + 60 * second, to: CASE_START + 160 * second };
    workspace.setWindow(window);
    const play = wrapper.get('[data-testid="timeline-play"]');

    await play.trigger('click');
    expect(workspace.playhead).toBe(window.from);
    expect(play.attributes('aria-pressed')).toBe('true');

    frames.frame(1000);
    frames.frame(6000);
    expect(workspace.playhead).toBe(window.from + 50 * second);
    await flushPromises();
    expect(wrapper.find('[data-testid="timeline-playhead"]').exists()).toBe(true);

    await play.trigger('click');
    expect(play.attributes('aria-pressed')).toBe('false');
    expect(frames.pending()).toBe(0);
    expect(workspace.playhead).toBe(window.from + 50 * second);

    await play.trigger('click');
    frames.frame(20_000);
    frames.frame(26_000);
    expect(workspace.playhead).toBe(window.to);
    await flushPromises();
    expect(play.attributes('aria-pressed')).toBe('false');

    await wrapper.get('[data-testid="timeline-reset"]').trigger('click');
    expect(workspace.playhead).toBeNull();
  });

  it('replay without a window covers the case', async () => {
    installFakeApi();
    const frames = manualAnimationFrames();
    const { wrapper, workspace } = await mountPane();

    await wrapper.get('[data-testid="timeline-play"]').trigger('click');
    frames.frame(0);
    frames.frame(2500);
    expect(workspace.playhead).toBe(CASE_START + SPAN / 4);
  });
});
