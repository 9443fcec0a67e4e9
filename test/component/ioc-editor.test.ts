// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import IocEditor from '../../renderer/src/components/side/IocEditor.vue';
import { useIocStore } from '../../renderer/src/stores/iocs.js';
import { fakeIoc, installIocApi } from './side-fakes.js';

describe('IocEditor', () => {
  let api: ReturnType<typeof installIocApi>;
  let wrapper: VueWrapper | null = null;

  beforeEach(async () => {
    setActivePinia(createPinia());
    api = installIocApi([fakeIoc({ value: 'eraqron.shop', verdict: 'suspicious', confidence: 40, tags: ['phishing', 'smtp'], note: 'Seen in the lure' })]);
    await useIocStore().refresh();
  });

  afterEach(() => {
    wrapper?.unmount();
    wrapper = null;
  });

  async function mountEditor(props: { value: string; type?: 'domain' }) {
    wrapper = mount(IocEditor, { props, attachTo: document.body });
    await flushPromises();
    return wrapper;
  }

  it('shows the stored fields', async () => {
    const editor = await mountEditor({ value: 'eraqron.shop', type: 'domain' });
    expect((editor.get('[data-testid="ioc-editor-verdict"]').element as HTMLSelectElement).value).toBe('suspicious');
    expect((editor.get('[data-testid="ioc-editor-confidence"]').element as HTMLInputElement).value).toBe('40');
    expect(editor.findAll('[data-testid="ioc-editor-tag"]').map((tag) => tag.text().replace('×', '').trim())).toEqual(['phishing', 'smtp']);
    expect((editor.get('[data-testid="ioc-editor-note"]').element as HTMLTextAreaElement).value).toBe('Seen in the lure');
  });

  it('saves verdict, confidence, tags and note', async () => {
    const editor = await mountEditor({ value: 'eraqron.shop', type: 'domain' });
    await editor.get('[data-testid="ioc-editor-verdict"]').setValue('malicious');
    await editor.get('[data-testid="ioc-editor-confidence"]').setValue('90');
    await editor.get('[aria-label="Remove tag smtp"]').trigger('click');
    const tagInput = editor.get('[data-testid="ioc-editor-tag-input"]');
    await tagInput.setValue('exfiltration');
    await tagInput.trigger('keydown', { key: 'Enter' });
    await editor.get('[data-testid="ioc-editor-note"]').setValue('Receives the stolen credentials');

    await editor.get('form').trigger('submit');
    await flushPromises();

    expect(api.tag).toHaveBeenCalledTimes(1);
    expect(api.tag).toHaveBeenCalledWith({ value: 'eraqron.shop', type: 'domain', verdict: 'malicious', confidence: 90, tags: ['exfiltration'], note: 'Receives the stolen credentials' });
    expect(api.untag).toHaveBeenCalledWith({ value: 'eraqron.shop', type: 'domain', tags: ['smtp'] });
    const stored = useIocStore().iocs.find((ioc) => ioc.value === 'eraqron.shop');
    expect(stored?.tags).toEqual(['exfiltration', 'phishing']);
    expect(stored?.verdict).toBe('malicious');
    expect(editor.find('[role="status"]').text()).toBe('Saved.');
  });

  it('invalid confidence not sent', async () => {
    const editor = await mountEditor({ value: 'eraqron.shop', type: 'domain' });
    await editor.get('[data-testid="ioc-editor-confidence"]').setValue('150');
    await editor.get('form').trigger('submit');
    await flushPromises();
    expect(api.tag).not.toHaveBeenCalled();
    expect(editor.get('[data-testid="ioc-editor-error"]').text()).toContain('Confidence 150 is invalid');
  });

  it('shows a rejected save', async () => {
    api.tag.mockRejectedValueOnce({ code: 'INVALID_ARGUMENT', message: 'Tag "a b" is invalid.' });
    const editor = await mountEditor({ value: 'eraqron.shop', type: 'domain' });
    await editor.get('form').trigger('submit');
    await flushPromises();
    expect(editor.get('[data-testid="ioc-editor-error"]').text()).toBe('Tag "a b" is invalid.');
    expect(editor.find('[role="status"]').exists()).toBe(false);
  });

  it('removes the IOC', async () => {
    const editor = await mountEditor({ value: 'eraqron.shop', type: 'domain' });
    await editor.get('[data-testid="ioc-editor-remove"]').trigger('click');
    await flushPromises();
    expect(api.untag).toHaveBeenCalledWith({ value: 'eraqron.shop', type: 'domain' });
    expect(useIocStore().iocs).toEqual([]);
    expect(editor.emitted('close')).toHaveLength(1);
  });

  it('creates a new IOC', async () => {
    const editor = await mountEditor({ value: '' });
    expect(editor.find('[data-testid="ioc-editor-remove"]').exists()).toBe(false);
    await editor.get('form').trigger('submit');
    await flushPromises();
    expect(editor.get('[data-testid="ioc-editor-error"]').text()).toContain('value is empty');
    expect(api.tag).not.toHaveBeenCalled();

    await editor.get('[data-testid="ioc-editor-value"]').setValue('checkip.dyndns.org');
    await editor.get('[data-testid="ioc-editor-verdict"]').setValue('benign');
    await editor.get('form').trigger('submit');
    await flushPromises();
    expect(api.tag).toHaveBeenCalledWith({ value: 'checkip.dyndns.org', type: undefined, verdict: 'benign', confidence: undefined, tags: [], note: '' });
    expect(useIocStore().verdictOf('checkip.dyndns.org')).toBe('benign');
  });

  it('Escape closes the editor', async () => {
    const editor = await mountEditor({ value: 'eraqron.shop', type: 'domain' });
    await editor.get('[data-testid="ioc-editor-note"]').trigger('keydown', { key: 'Escape' });
    expect(editor.emitted('close')).toHaveLength(1);
  });
});
