import { onMounted, onUnmounted } from 'vue';
import { api } from '../../api.js';

/** Runs `focus` when the app menu's Find command (Ctrl+F) arrives, while the component is mounted. */
export function useFindCommand(focus: () => void): void {
  let unsubscribe: (() => void) | null = null;
  onMounted(() => {
    unsubscribe = api().app.onCommand((command) => {
      if (command.command === 'find') focus();
    });
  });
  onUnmounted(() => unsubscribe?.());
}
