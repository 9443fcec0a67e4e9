import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Input, IocWithSighting, Verdict } from '../../../preload/api.js';
import { api } from '../api.js';

/**
 * The case's IOCs and a lookup from value to verdict. The graph and the tables colour what the
 * analyst has already judged from it, without refetching their data. Values are compared
 * case-insensitively, as the main process normalises domains and emails.
 */
export const useIocStore = defineStore('iocs', () => {
  const iocs = ref<IocWithSighting[]>([]);

  const verdictByValue = computed(() => {
    const map = new Map<string, Verdict>();
    for (const ioc of iocs.value) map.set(ioc.value.toLowerCase(), ioc.verdict);
    return map;
  });

  function verdictOf(value: string): Verdict | undefined {
    return verdictByValue.value.get(value.toLowerCase());
  }

  async function refresh(): Promise<void> {
    iocs.value = (await api().iocs.list({})).iocs;
  }

  async function tag(input: Input<'iocs.tag'>): Promise<void> {
    await api().iocs.tag(input);
    await refresh();
  }

  async function untag(input: Input<'iocs.untag'>): Promise<void> {
    await api().iocs.untag(input);
    await refresh();
  }

  return { iocs, verdictByValue, verdictOf, refresh, tag, untag };
});
