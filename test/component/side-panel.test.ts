// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import type { FindingsResult } from '../../preload/api.js';
import FindingsTab from '../../renderer/src/components/side/FindingsTab.vue';
import PacketsButton from '../../renderer/src/components/side/PacketsButton.vue';
import SidePanel from '../../renderer/src/components/side/SidePanel.vue';
import { useCaseArchiveStore } from '../../renderer/src/stores/case-archive.js';
import { useSidePanelStore } from '../../renderer/src/stores/side-panel.js';
import { useWorkspaceStore } from '../../renderer/src/stores/workspace.js';
import { fakeCaseInfo } from './pane-fakes.js';

function installApi(methods: Record<string, Record<string, unknown>>): void {
  (window as unknown as { netcase: unknown }).netcase = methods;
}

const FINDINGS: FindingsResult = {
  from: null,
  to: null,
  findings: [
    {
      id: 'f1',
      rule: 'public-ip-lookup',
      title: 'Public IP address lookup',
      rationale: 'Malware asks a lookup service for the public address.',
      severity: 'medium',
      technique: 'T1016',
      first: 1_000_000,
      last: 5_000_000,
      entities: [{ kind: 'domain', value: 'checkip.dyndns.org' }],
      eventIds: [3],
      notes: [],
      flags: [],
    },
  ],
  stages: [],
  suggestedIocs: [{ kind: 'domain', value: 'checkip.dyndns.org', findings: ['f1'] }],
};

beforeEach(() => {
  setActivePinia(createPinia());
});

describe('SidePanel', () => {
  it('arrow keys switch tabs', async () => {
    const wrapper = mount(SidePanel, { attachTo: document.body, global: { stubs: { DetailTab: true, FindingsTab: true, IocsTab: true, ReportTab: true, EvidenceList: true } } });
    const detail = wrapper.get('[data-testid="side-tab-detail"]');
    expect(detail.attributes('aria-selected')).toBe('true');

    await detail.trigger('keydown', { key: 'ArrowRight' });
    await flushPromises();
    expect(useSidePanelStore().tab).toBe('findings');
    expect(wrapper.get('[data-testid="side-tab-findings"]').attributes('aria-selected')).toBe('true');
    expect(document.activeElement).toBe(wrapper.get('[data-testid="side-tab-findings"]').element);
    expect(wrapper.find('findings-tab-stub').exists()).toBe(true);

    await wrapper.get('[data-testid="side-tab-findings"]').trigger('keydown', { key: 'End' });
    expect(useSidePanelStore().tab).toBe('evidence');
    await wrapper.get('[data-testid="side-tab-evidence"]').trigger('keydown', { key: 'ArrowRight' });
    expect(useSidePanelStore().tab).toBe('detail');
    wrapper.unmount();
  });
});

describe('PacketsButton', () => {
  it('shows the path nothing opened', async () => {
    const carve = vi.fn(async () => ({ path: '/cases/a/exports/packets-C1.pcap', packets: 29, target: 'connection C1', sha256: 'ab', opened: false, openError: 'No application is registered for .pcap files' }));
    installApi({ packets: { carve } });
    const wrapper = mount(PacketsButton, { props: { uid: 'C1' } });
    await wrapper.get('[data-testid="packets-button"]').trigger('click');
    await flushPromises();

    expect(carve).toHaveBeenCalledWith({ uid: 'C1' });
    const result = wrapper.get('[data-testid="packets-result"]');
    expect(result.attributes('data-opened')).toBe('false');
    expect(result.text()).toContain('Wrote 29 packets to /cases/a/exports/packets-C1.pcap.');
    expect(result.text()).toContain('The file was not opened: No application is registered for .pcap files. Open it from that folder in Wireshark.');
  });

  it('shows a rejected carve', async () => {
    installApi({ packets: { carve: vi.fn(async () => Promise.reject({ code: 'INTEGRITY', message: 'The capture changed since intake.' })) } });
    const wrapper = mount(PacketsButton, { props: { uid: 'C1' } });
    await wrapper.get('[data-testid="packets-button"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="packets-error"]').text()).toBe('The capture changed since intake.');
    expect(wrapper.find('[data-testid="packets-result"]').exists()).toBe(false);
  });
});

describe('FindingsTab', () => {
  it('focus sets window and selection', async () => {
    const list = vi.fn(async () => FINDINGS);
    installApi({ findings: { list } });
    const wrapper = mount(FindingsTab);
    await flushPromises();
    expect(list).toHaveBeenCalledWith({});

    await wrapper.get('[data-testid="finding-row"]').trigger('click');
    await flushPromises();
    const workspace = useWorkspaceStore();
    expect(workspace.window).toEqual({ from: 1_000_000, to: 5_000_000 });
    expect(workspace.selection).toEqual({ type: 'entity', kind: 'domain', value: 'checkip.dyndns.org' });
    expect(list).toHaveBeenLastCalledWith({ from: 1_000_000, to: 5_000_000 });
  });

  it('accepts a suggested IOC', async () => {
    const acceptSuggestion = vi.fn(async (_input: unknown) => ({}));
    const iocs = [] as unknown[];
    installApi({
      findings: { list: vi.fn(async () => FINDINGS) },
      iocs: {
        acceptSuggestion: vi.fn(async (input: unknown) => {
          iocs.push({ ...(input as object), verdict: 'suspicious' });
          return acceptSuggestion(input);
        }),
        list: vi.fn(async () => ({ iocs })),
      },
    });
    const wrapper = mount(FindingsTab);
    await flushPromises();
    await wrapper.get('[data-testid="accept-suggestion"]').trigger('click');
    await flushPromises();
    expect(acceptSuggestion).toHaveBeenCalledWith({ value: 'checkip.dyndns.org', type: 'domain', findings: ['f1'] });
    expect(wrapper.find('[data-testid="accept-suggestion"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="suggested-ioc"]').text()).toContain('IOC: suspicious');
  });
});

describe('case archive store', () => {
  it('opens the imported case', async () => {
    const choose = vi.fn(async ({ purpose }: { purpose: string }) => ({ files: [{ token: purpose === 'open-case-archive' ? 'a'.repeat(32) : 'b'.repeat(32), name: 'x', path: '/x' }] }));
    const importArchive = vi.fn(async () => ({ dir: '/cases/imported', caseId: 'c1', caseName: 'Fake', archiveSha256: 'ab', members: 11, withoutEvidence: false, auditEntries: 9 }));
    const open = vi.fn(async () => fakeCaseInfo());
    installApi({ dialogs: { choose }, cases: { importArchive, open } });

    const archive = useCaseArchiveStore();
    await archive.importCase();

    expect(importArchive).toHaveBeenCalledWith({ file: 'a'.repeat(32), to: 'b'.repeat(32) });
    expect(open).toHaveBeenCalledWith({ recent: '/cases/imported' });
    expect(archive.outcome?.kind).toBe('import');
    expect(archive.error).toBeNull();
  });

  it('keeps a refusal and opens nothing', async () => {
    const choose = vi.fn(async () => ({ files: [{ token: 'a'.repeat(32), name: 'x', path: '/x' }] }));
    const message = 'The archive is damaged or altered, so nothing was imported:\n  case.json: SHA-256 differs\nAsk for a fresh export.';
    const open = vi.fn();
    installApi({ dialogs: { choose }, cases: { importArchive: vi.fn(async () => Promise.reject({ code: 'INTEGRITY', message })), open } });

    const archive = useCaseArchiveStore();
    await archive.importCase();

    expect(archive.error).toBe(message);
    expect(archive.outcome).toBeNull();
    expect(open).not.toHaveBeenCalled();
  });

  it('cancelled dialog does nothing', async () => {
    const importArchive = vi.fn();
    installApi({ dialogs: { choose: vi.fn(async () => ({ files: [] })) }, cases: { importArchive } });
    await useCaseArchiveStore().importCase();
    expect(importArchive).not.toHaveBeenCalled();
    expect(useCaseArchiveStore().busy).toBeNull();
  });

  it('export without a case explained', () => {
    installApi({});
    const archive = useCaseArchiveStore();
    archive.requestExport();
    expect(archive.exportDialogOpen).toBe(false);
    expect(archive.error).toContain('No case is open');
  });
});
