import { onMounted, onUnmounted, shallowRef } from 'vue';

/**
 * Keyboard shortcuts: a registry every pane adds its keys to, listed by the help panel, and one
 * document-level listener that runs them.
 *
 * A key is written as modifiers and a `KeyboardEvent.key` value joined with `+`, such as `F1`,
 * `Escape`, `Ctrl+F` or `Shift+ArrowRight`. A single printable character such as `?` matches
 * whatever Shift state produced it, because keyboard layouts differ in where they put it.
 */
export interface Shortcut {
  /** Unique id; registering the same id again replaces the entry. */
  id: string;
  /** The keys that run it; the help panel shows them in this order. */
  keys: string[];
  description: string;
  /** The heading it is listed under in the help panel, such as "General" or "Timeline". */
  group: string;
  /** Runs the action. Without it the entry is only listed (keys a pane handles itself). */
  run?: (event: KeyboardEvent) => void;
  /** Also runs while the focus is in a text field. Off by default, so typing never triggers shortcuts. */
  inTextFields?: boolean;
}

const MODIFIERS = ['Ctrl', 'Alt', 'Shift', 'Meta'] as const;

/** Every registered shortcut in registration order; replaced on each change so views update. */
export const shortcuts = shallowRef<readonly Shortcut[]>([]);

/** Adds a shortcut and returns the function that removes it. */
export function registerShortcut(shortcut: Shortcut): () => void {
  shortcuts.value = [...shortcuts.value.filter((entry) => entry.id !== shortcut.id), shortcut];
  return () => {
    shortcuts.value = shortcuts.value.filter((entry) => entry !== shortcut);
  };
}

/** Registers a shortcut while the calling component is mounted. */
export function useShortcut(shortcut: Shortcut): void {
  let unregister: (() => void) | null = null;
  onMounted(() => {
    unregister = registerShortcut(shortcut);
  });
  onUnmounted(() => unregister?.());
}

/** Shortcuts grouped for display, groups in first-registration order. */
export function groupedShortcuts(list: readonly Shortcut[]): { group: string; shortcuts: Shortcut[] }[] {
  const groups = new Map<string, Shortcut[]>();
  for (const shortcut of list) groups.set(shortcut.group, [...(groups.get(shortcut.group) ?? []), shortcut]);
  return [...groups].map(([group, entries]) => ({ group, shortcuts: entries }));
}

/** True when `event` is the key written as `key` (see the module comment for the notation). */
export function matchesKey(event: KeyboardEvent, key: string): boolean {
  const parts = key.split('+');
  // `Ctrl++` names the plus key: the split leaves two empty strings at the end.
  const name = key.endsWith('++') ? '+' : parts[parts.length - 1]!;
  const required = new Set(parts.slice(0, key.endsWith('++') ? -2 : -1));
  const printable = name.length === 1;
  if (printable ? event.key.toLowerCase() !== name.toLowerCase() : event.key !== name) return false;
  const pressed = { Ctrl: event.ctrlKey, Alt: event.altKey, Shift: event.shiftKey, Meta: event.metaKey };
  return MODIFIERS.every((modifier) => (printable && modifier === 'Shift' && !required.has('Shift') ? true : pressed[modifier] === required.has(modifier)));
}

/** Runs the newest registered shortcut that matches `event`. Returns whether one ran. */
export function dispatchShortcut(event: KeyboardEvent, list: readonly Shortcut[] = shortcuts.value): boolean {
  if (event.defaultPrevented || event.isComposing) return false;
  const typing = isTextField(event.target);
  for (const shortcut of [...list].reverse()) {
    if (!shortcut.run || (typing && !shortcut.inTextFields)) continue;
    if (!shortcut.keys.some((key) => matchesKey(event, key))) continue;
    event.preventDefault();
    shortcut.run(event);
    return true;
  }
  return false;
}

let installed = false;

/** Listens for shortcuts on the document; calling it again does nothing. */
export function installShortcuts(target: Document = document): void {
  if (installed) return;
  installed = true;
  target.addEventListener('keydown', (event) => dispatchShortcut(event));
}

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (!(target instanceof HTMLInputElement)) return false;
  return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color', 'file'].includes(target.type);
}
