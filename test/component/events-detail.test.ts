// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import EventDetail from '../../renderer/src/components/events/EventDetail.vue';
import { useWorkspaceStore } from '../../renderer/src/stores/workspace.js';
import { useTagMenuStore } from '../../renderer/src/stores/tag-menu.js';
import { fakeEvent } from './pane-fakes.js';

const smtp = {
  ...fakeEvent(1),
  log: 'smtp',
  record: JSON.stringify({
    ts: 1767981600.5,
    uid: 'CsMtP1',
    'id.orig_h': '10.0.0.5',
    mailfrom: '<Boss@Example.com>',
    rcptto: ['a@example.net', 'b@example.net'],
    subject: '<script>window.__ran = 1</script>',
    tls: false,
  }),
};

function mountDetail() {
  const pinia = createPinia();
  setActivePinia(pinia);
  return mount(EventDetail, { props: { event: smtp }, global: { plugins: [pinia] } });
}

beforeEach(() => {
  document.body.innerHTML = '';
});

describe('EventDetail', () => {
  it('lists every field of the record', () => {
    const wrapper = mountDetail();
    expect(wrapper.findAll('dt').map((term) => term.text())).toEqual(['ts', 'uid', 'id.orig_h', 'mailfrom', 'rcptto', 'subject', 'tls']);
    expect(wrapper.findAll('dd')[6]!.text()).toBe('false');
  });

  it('keeps markup as text', () => {
    const wrapper = mountDetail();
    expect(wrapper.find('script').exists()).toBe(false);
    expect(wrapper.findAll('dd')[5]!.text()).toBe('<script>window.__ran = 1</script>');
  });

  it('pivots on an address and a uid', async () => {
    const wrapper = mountDetail();
    const workspace = useWorkspaceStore();

    await wrapper.get('[data-pivot-kind="email"][data-pivot-value="boss@example.com"]').trigger('click');
    expect(workspace.eventFilter).toEqual({ entity: { kind: 'email', value: 'boss@example.com' } });
    await wrapper.get('[data-pivot-kind="uid"]').trigger('click');
    expect(workspace.eventFilter).toEqual({ uid: 'CsMtP1' });
  });

  it('opens the tag menu on any value', async () => {
    const wrapper = mountDetail();
    const tagMenu = useTagMenuStore();

    await wrapper.get('[data-pivot-value="b@example.net"]').trigger('contextmenu', { clientX: 5, clientY: 9 });
    expect(tagMenu.target).toEqual({ value: 'b@example.net', kind: 'email', x: 5, y: 9 });
    await wrapper.findAll('dd')[5]!.get('.value').trigger('keydown', { key: 'F10', shiftKey: true });
    expect(tagMenu.target?.value).toBe('<script>window.__ran = 1</script>');
    expect(tagMenu.target?.kind).toBeUndefined();
  });
});
