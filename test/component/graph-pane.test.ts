// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { Core, CytoscapeOptions } from 'cytoscape';
import type { Graph, GraphNode, Input, IocWithSighting, NetcaseApi } from '../../preload/api.js';
import GraphPane from '../../renderer/src/components/graph/GraphPane.vue';
import { useCaseStore } from '../../renderer/src/stores/case.js';
import { useIocStore } from '../../renderer/src/stores/iocs.js';
import { useTagMenuStore } from '../../renderer/src/stores/tag-menu.js';
import { useWorkspaceStore } from '../../renderer/src/stores/workspace.js';

/** The Cytoscape instances the pane created, headless because happy-dom has no canvas. */
const instances: Core[] = [];

vi.mock('../../renderer/src/graph/cytoscape.js', async () => {
  const { default: cytoscape } = await import('cytoscape');
  const { default: fcose } = await import('cytoscape-fcose');
  cytoscape.use(fcose);
  return {
    createCytoscape: (options: CytoscapeOptions) => {
      const cy = cytoscape({ ...options, container: undefined, headless: true, styleEnabled: true });
      instances.push(cy);
      return cy;
    },
  };
});

const T0 = 1_767_981_600_000_000;

function node(id: number, kind: GraphNode['kind'], value: string, firstSeen: number, internal?: boolean): GraphNode {
  return { id, kind, value, weight: 1, bytes: 0, firstSeen, lastSeen: null, ...(internal === undefined ? {} : { internal }) };
}

const GRAPH: Graph = {
  from: null,
  to: null,
  nodes: [
    node(1, 'host', '10.1.9.101', T0, true),
    node(2, 'host', '10.1.9.1', T0 + 1_000_000, true),
    node(3, 'domain', 'eraqron.shop', T0 + 300_000_000),
    node(4, 'host', '158.101.44.242', T0 + 2_000_000, false),
    node(5, 'email', 'jump@eraqron.shop', T0 + 305_000_000),
  ],
  edges: [
    { id: 10, kind: 'queried', source: 1, target: 3, detail: '', count: 1, bytes: 0, firstSeen: T0 + 300_000_000, lastSeen: null },
    { id: 11, kind: 'connected', source: 1, target: 4, detail: '', count: 40, bytes: 90_000, firstSeen: T0 + 2_000_000, lastSeen: null },
    { id: 12, kind: 'connected', source: 1, target: 2, detail: '', count: 8, bytes: 9_000_000, firstSeen: T0 + 1_000_000, lastSeen: null },
    { id: 13, kind: 'address_in', source: 5, target: 3, detail: '', count: 2, bytes: 0, firstSeen: T0 + 305_000_000, lastSeen: null },
  ],
  more: { edges: 0, nodes: 0 },
};

function ioc(value: string, verdict: IocWithSighting['verdict']): IocWithSighting {
  return {
    id: 1,
    type: 'domain',
    value,
    verdict,
    confidence: null,
    tags: [],
    note: '',
    analyst: 'Test',
    source: 'analyst',
    createdAt: '',
    updatedAt: '',
    sighting: { events: 1, firstSeen: null, lastSeen: null, logs: {}, hosts: [] },
  };
}

interface FakeApi {
  graphGet: ReturnType<typeof vi.fn<(input: Input<'graph.get'>) => Promise<Graph>>>;
  iocsList: ReturnType<typeof vi.fn<() => Promise<{ iocs: IocWithSighting[] }>>>;
  choose: ReturnType<typeof vi.fn>;
  saveImage: ReturnType<typeof vi.fn>;
}

function installApi(graph: Graph = GRAPH, iocs: IocWithSighting[] = []): FakeApi {
  const fake: FakeApi = {
    graphGet: vi.fn(async () => structuredClone(graph)),
    iocsList: vi.fn(async () => ({ iocs })),
    choose: vi.fn(async () => ({ files: [{ token: 'a'.repeat(32), name: 'graph.png', path: '/cases/vip/exports/graph.png' }] })),
    saveImage: vi.fn(async () => ({ path: '/cases/vip/exports/graph.png', bytes: 8 })),
  };
  window.netcase = {
    graph: { get: fake.graphGet },
    iocs: { list: fake.iocsList },
    dialogs: { choose: fake.choose },
    exports: { saveImage: fake.saveImage },
  } as unknown as NetcaseApi;
  return fake;
}

function listItems(wrapper: VueWrapper) {
  return wrapper.findAll('[data-testid="graph-node-list"] li').map((item) => ({
    value: item.attributes('data-value'),
    kind: item.attributes('data-kind'),
    verdict: item.attributes('data-verdict'),
    x: Number(item.attributes('data-x')),
    y: Number(item.attributes('data-y')),
    text: item.text(),
  }));
}

async function mountPane(pinia: Pinia) {
  const wrapper = mount(GraphPane, { global: { plugins: [pinia] }, attachTo: document.body });
  await vi.waitFor(() => expect(listItems(wrapper)).toHaveLength(GRAPH.nodes.length), { timeout: 5_000 });
  return wrapper;
}

function cy(): Core {
  const last = instances[instances.length - 1];
  if (!last) throw new Error('GraphPane created no Cytoscape instance');
  return last;
}

describe('GraphPane', () => {
  let pinia: Pinia;
  let wrapper: VueWrapper | undefined;

  beforeEach(() => {
    pinia = createPinia();
    setActivePinia(pinia);
    instances.length = 0;
    document.head.innerHTML = '<style>:root { --node-internal: #2f6fdb; --node-domain: #0f8b8d; --verdict-malicious: #d13434; }</style>';
  });

  afterEach(() => {
    wrapper?.unmount();
    wrapper = undefined;
  });

  it('fetches the window with the cap', async () => {
    const api = installApi();
    useWorkspaceStore().setWindow({ from: T0, to: T0 + 7_000_000 });
    wrapper = await mountPane(pinia);

    expect(api.graphGet).toHaveBeenCalledTimes(1);
    expect(api.graphGet.mock.calls[0]?.[0]).toEqual({ from: T0, to: T0 + 7_000_000, minCount: 1, maxEdges: 1500 });
  });

  it('refetches after the case data changes', async () => {
    const api = installApi();
    wrapper = await mountPane(pinia);

    useCaseStore().touch();
    await vi.waitFor(() => expect(api.graphGet).toHaveBeenCalledTimes(2));
  });

  it('min count input refetches with it', async () => {
    const api = installApi();
    wrapper = await mountPane(pinia);

    await wrapper.get('[data-testid="graph-min-count"]').setValue('3');
    await vi.waitFor(() => expect(api.graphGet).toHaveBeenCalledTimes(2));
    expect(api.graphGet.mock.calls[1]?.[0].minCount).toBe(3);
  });

  it('min count ignores invalid input', async () => {
    const api = installApi();
    wrapper = await mountPane(pinia);

    await wrapper.get('[data-testid="graph-min-count"]').setValue('0');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(api.graphGet).toHaveBeenCalledTimes(1);
  });

  it('lists nodes with kind and verdict', async () => {
    installApi(GRAPH, [ioc('eraqron.shop', 'malicious')]);
    wrapper = await mountPane(pinia);

    await vi.waitFor(() => expect(listItems(wrapper!).find((item) => item.value === 'eraqron.shop')?.verdict).toBe('malicious'));
    const host = listItems(wrapper).find((item) => item.value === '10.1.9.101');
    expect(host?.kind).toBe('host');
    expect(host?.verdict).toBe('');
    expect(Number.isFinite(host?.x)).toBe(true);
    expect(Number.isFinite(host?.y)).toBe(true);
  });

  it('styles node types from the theme', async () => {
    installApi();
    wrapper = await mountPane(pinia);

    const internal = cy().getElementById('n1');
    const domain = cy().getElementById('n3');
    const external = cy().getElementById('n4');
    expect(internal.style('background-color')).toBe('rgb(47,111,219)');
    expect(domain.style('background-color')).toBe('rgb(15,139,141)');
    expect(internal.style('shape')).toBe('ellipse');
    expect(domain.style('shape')).toBe('round-rectangle');
    expect(external.style('shape')).toBe('diamond');
    expect(cy().getElementById('n5').style('shape')).toBe('hexagon');
  });

  it('restyles when the OS theme changes', async () => {
    const scheme = new EventTarget();
    const matchMedia = vi.spyOn(window, 'matchMedia').mockReturnValue(scheme as unknown as MediaQueryList);
    installApi();
    wrapper = await mountPane(pinia);
    expect(cy().getElementById('n3').style('background-color')).toBe('rgb(15,139,141)');

    document.head.innerHTML = '<style>:root { --node-domain: #3cc0c2; }</style>';
    scheme.dispatchEvent(new Event('change'));

    expect(matchMedia).toHaveBeenCalledWith('(prefers-color-scheme: dark)');
    expect(cy().getElementById('n3').style('background-color')).toBe('rgb(60,192,194)');
    matchMedia.mockRestore();
  });

  it('node list selects and opens the menu', async () => {
    installApi();
    wrapper = await mountPane(pinia);
    const item = wrapper.get('[data-testid="graph-node-list"] li[data-value="eraqron.shop"] button');

    await item.trigger('click');
    expect(useWorkspaceStore().selection).toEqual({ type: 'entity', kind: 'domain', value: 'eraqron.shop' });
    expect(cy().getElementById('n3').selected()).toBe(true);

    await item.trigger('keydown', { key: 'F10', shiftKey: true });
    expect(useTagMenuStore().target).toMatchObject({ value: 'eraqron.shop', kind: 'domain' });
  });

  it('recolours verdicts without refetching', async () => {
    const api = installApi();
    wrapper = await mountPane(pinia);
    const domain = cy().getElementById('n3');
    expect(domain.data('verdict')).toBe('');

    useIocStore().iocs = [ioc('ERAQRON.SHOP', 'malicious')];
    await vi.waitFor(() => expect(domain.data('verdict')).toBe('malicious'));
    expect(domain.style('border-color')).toBe('rgb(209,52,52)');
    await vi.waitFor(() => expect(listItems(wrapper!).find((item) => item.value === 'eraqron.shop')?.verdict).toBe('malicious'));
    expect(api.graphGet).toHaveBeenCalledTimes(1);
  });

  it('weight select switches edge widths', async () => {
    const api = installApi();
    wrapper = await mountPane(pinia);
    const widthOf = (id: string) => cy().getElementById(id).data('width') as number;
    expect(widthOf('e11')).toBeGreaterThan(widthOf('e12'));

    await wrapper.get('[data-testid="graph-weight"]').setValue('bytes');
    expect(widthOf('e12')).toBeGreaterThan(widthOf('e11'));
    expect(widthOf('e10')).toBe(1);
    expect(api.graphGet).toHaveBeenCalledTimes(1);
  });

  it('shows the more badge', async () => {
    installApi({ ...GRAPH, more: { edges: 2345, nodes: 120 } });
    wrapper = await mountPane(pinia);

    const badge = wrapper.get('[data-testid="graph-more"]');
    expect(badge.text()).toBe('2\u202f345 more');
    expect(badge.attributes('title')).toContain('120 nodes');
  });

  it('hides the more badge when complete', async () => {
    installApi();
    wrapper = await mountPane(pinia);

    expect(wrapper.find('[data-testid="graph-more"]').exists()).toBe(false);
  });

  it('search focuses and selects', async () => {
    installApi();
    wrapper = await mountPane(pinia);

    await wrapper.get('[data-testid="graph-search"]').setValue('eraqron');
    await wrapper.get('form[role="search"]').trigger('submit');

    expect(useWorkspaceStore().selection).toEqual({ type: 'entity', kind: 'domain', value: 'eraqron.shop' });
    expect(cy().getElementById('n3').selected()).toBe(true);
    expect(cy().getElementById('n3').hasClass('highlighted')).toBe(true);
    expect(cy().getElementById('n4').hasClass('faded')).toBe(true);
  });

  it('search without match says so', async () => {
    installApi();
    wrapper = await mountPane(pinia);

    await wrapper.get('[data-testid="graph-search"]').setValue('nothing-like-this');
    await wrapper.get('form[role="search"]').trigger('submit');

    expect(wrapper.get('[role="status"]').text()).toContain('No node shown matches');
    expect(useWorkspaceStore().selection).toBeNull();
  });

  it('node click selects the entity', async () => {
    installApi();
    wrapper = await mountPane(pinia);

    cy().getElementById('n4').emit('tap');
    expect(useWorkspaceStore().selection).toEqual({ type: 'entity', kind: 'host', value: '158.101.44.242' });
  });

  it('right click opens the tag menu', async () => {
    installApi();
    wrapper = await mountPane(pinia);

    cy().getElementById('n3').emit('cxttap');
    expect(useTagMenuStore().target).toMatchObject({ value: 'eraqron.shop', kind: 'domain' });
  });

  it('context-menu key opens the tag menu', async () => {
    installApi();
    wrapper = await mountPane(pinia);
    useWorkspaceStore().select({ type: 'entity', kind: 'domain', value: 'eraqron.shop' });
    await flushPromises();

    await wrapper.get('[data-testid="graph-canvas"]').trigger('keydown', { key: 'ContextMenu' });
    expect(useTagMenuStore().target).toMatchObject({ value: 'eraqron.shop', kind: 'domain' });
  });

  it('drag pins and double click unpins', async () => {
    installApi();
    wrapper = await mountPane(pinia);
    const host = cy().getElementById('n4');

    host.position({ x: 400, y: 300 });
    host.emit('dragfree');
    expect(host.hasClass('pinned')).toBe(true);
    await vi.waitFor(() => expect(listItems(wrapper!).find((item) => item.value === '158.101.44.242')?.text).toContain('pinned'));

    host.emit('dbltap');
    expect(host.hasClass('pinned')).toBe(false);
  });

  it('pinned nodes keep their place on relayout', async () => {
    installApi();
    wrapper = await mountPane(pinia);
    const host = cy().getElementById('n4');
    host.position({ x: 400, y: 300 });
    host.emit('dragfree');

    await wrapper.get('[data-testid="graph-relayout"]').trigger('click');
    expect(host.position('x')).toBeCloseTo(400, 0);
    expect(host.position('y')).toBeCloseTo(300, 0);
  });

  it('replay shows elements seen by the playhead', async () => {
    const api = installApi();
    wrapper = await mountPane(pinia);
    const before = new Map(listItems(wrapper).map((item) => [item.value, item]));

    useWorkspaceStore().setPlayhead(T0 + 1_500_000);
    await vi.waitFor(() => expect(listItems(wrapper!).map((item) => item.value)).toEqual(['10.1.9.101', '10.1.9.1']));
    expect(cy().getElementById('e12').hasClass('replay-hidden')).toBe(false);
    expect(cy().getElementById('e11').hasClass('replay-hidden')).toBe(true);
    for (const item of listItems(wrapper)) {
      expect(item.x).toBe(before.get(item.value)?.x);
      expect(item.y).toBe(before.get(item.value)?.y);
    }

    useWorkspaceStore().setPlayhead(null);
    await vi.waitFor(() => expect(listItems(wrapper!)).toHaveLength(GRAPH.nodes.length));
    expect(api.graphGet).toHaveBeenCalledTimes(1);
  });

  it('replay drops a hidden focus', async () => {
    installApi();
    wrapper = await mountPane(pinia);
    await wrapper.get('[data-testid="graph-search"]').setValue('eraqron.shop');
    await wrapper.get('form[role="search"]').trigger('submit');
    expect(cy().getElementById('n4').hasClass('faded')).toBe(true);

    useWorkspaceStore().setPlayhead(T0 + 1_500_000);
    await vi.waitFor(() => expect(cy().getElementById('n3').hasClass('replay-hidden')).toBe(true));
    expect(cy().elements('.faded')).toHaveLength(0);
  });

  it('large refetch keeps old positions', async () => {
    const hub = node(1, 'host', '10.0.0.1', T0, true);
    const leaves = Array.from({ length: 200 }, (_, index) => node(index + 2, 'domain', `site-${index}.example`, T0));
    const edgeTo = (target: number) => ({ id: 1000 + target, kind: 'queried', source: 1, target, detail: '', count: 1, bytes: 0, firstSeen: T0, lastSeen: null });
    const first: Graph = { ...GRAPH, nodes: [hub, ...leaves.slice(0, 180)], edges: leaves.slice(0, 180).map((leaf) => edgeTo(leaf.id)) };
    const second: Graph = { ...GRAPH, nodes: [hub, ...leaves], edges: leaves.map((leaf) => edgeTo(leaf.id)) };
    const api = installApi(first);
    wrapper = mount(GraphPane, { global: { plugins: [pinia] } });
    await vi.waitFor(() => expect(listItems(wrapper!)).toHaveLength(181), { timeout: 10_000 });
    const before = new Map(cy().nodes().map((element) => [element.id(), { ...element.position() }]));
    const layout = vi.spyOn(cy(), 'layout');

    api.graphGet.mockResolvedValue(structuredClone(second));
    useCaseStore().touch();
    await vi.waitFor(() => expect(listItems(wrapper!)).toHaveLength(201), { timeout: 10_000 });

    expect(layout).not.toHaveBeenCalled();
    for (const [id, position] of before) expect(cy().getElementById(id).position()).toEqual(position);
    const hubPosition = cy().getElementById('n1').position();
    const added = cy().getElementById(`n${leaves[199]!.id}`).position();
    expect(Math.hypot(added.x - hubPosition.x, added.y - hubPosition.y)).toBeLessThanOrEqual(Math.hypot(30, 30));
  });

  it('shows a failed fetch', async () => {
    const api = installApi();
    api.graphGet.mockRejectedValueOnce({ code: 'NOT_FOUND', message: 'No case is open. Create or open a case first.' });
    wrapper = mount(GraphPane, { global: { plugins: [pinia] } });

    await vi.waitFor(() => expect(wrapper!.find('[role="alert"]').exists()).toBe(true));
    expect(wrapper.get('[role="alert"]').text()).toContain('No case is open');
  });

  it('export saves through the save-image dialog', async () => {
    const api = installApi();
    wrapper = await mountPane(pinia);
    const png = vi.spyOn(cy(), 'png').mockReturnValue('iVBORw0KGgo=' as never);

    await wrapper.get('[data-testid="graph-export-png"]').trigger('click');
    await vi.waitFor(() => expect(api.saveImage).toHaveBeenCalledTimes(1));

    expect(api.choose).toHaveBeenCalledWith({ purpose: 'save-image', defaultName: 'graph.png' });
    expect(api.saveImage).toHaveBeenCalledWith({ out: 'a'.repeat(32), png: 'iVBORw0KGgo=' });
    expect(png).toHaveBeenCalledWith(expect.objectContaining({ output: 'base64', full: true }));
    await vi.waitFor(() => expect(wrapper!.get('[role="status"]').text()).toContain('/cases/vip/exports/graph.png'));
  });
});
