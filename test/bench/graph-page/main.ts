import { createApp, h } from 'vue';
import { createPinia } from 'pinia';
import GraphPane from '../../../renderer/src/components/graph/GraphPane.vue';
import { useIocStore } from '../../../renderer/src/stores/iocs.js';
import { useWorkspaceStore } from '../../../renderer/src/stores/workspace.js';
import '../../../renderer/src/styles/theme.css';
import { installStub, type GraphPageData, type StubLog } from './stub.js';

/**
 * The graph pane alone, fed by a stand-in `window.netcase`. The bench sets `window.graphPageData`
 * before this script runs (Playwright's addInitScript) and reads the pane's state through
 * `window.graphPage`.
 */
declare global {
  interface Window {
    graphPageData: GraphPageData;
    graphPage: { workspace: ReturnType<typeof useWorkspaceStore>; iocs: ReturnType<typeof useIocStore>; log: StubLog; mountedAt: number };
  }
}

const data = window.graphPageData;
const log = installStub(data);
const pinia = createPinia();
const app = createApp({ render: () => h('div', { style: 'height: 100vh' }, [h(GraphPane, data.maxEdges === undefined ? {} : { maxEdges: data.maxEdges })]) });
app.use(pinia);
window.graphPage = { workspace: useWorkspaceStore(pinia), iocs: useIocStore(pinia), log, mountedAt: performance.now() };
app.mount('#app');
