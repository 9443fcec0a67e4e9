import { onMounted, onUnmounted } from 'vue';
import type { AppCommand } from '../../preload/api.js';
import { api } from './api.js';

/** Calls `listener` with every app command (menu items, files opened from the system) while the calling component is mounted. */
export function useAppCommands(listener: (command: AppCommand) => void): void {
  let unsubscribe: (() => void) | null = null;
  onMounted(() => {
    unsubscribe = api().app.onCommand(listener);
  });
  onUnmounted(() => {
    unsubscribe?.();
    unsubscribe = null;
  });
}
