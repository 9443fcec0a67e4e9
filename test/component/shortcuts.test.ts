// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dispatchShortcut, groupedShortcuts, matchesKey, registerShortcut, shortcuts, type Shortcut } from '../../renderer/src/shortcuts.js';

function key(init: KeyboardEventInit, target?: EventTarget): KeyboardEvent {
  const event = new KeyboardEvent('keydown', { bubbles: true, cancelable: true, ...init });
  if (target) Object.defineProperty(event, 'target', { value: target });
  return event;
}

describe('shortcuts', () => {
  afterEach(() => {
    shortcuts.value = [];
  });

  it('matches keys with modifiers', () => {
    expect(matchesKey(key({ key: 'F1' }), 'F1')).toBe(true);
    expect(matchesKey(key({ key: 'f', ctrlKey: true }), 'Ctrl+F')).toBe(true);
    expect(matchesKey(key({ key: 'f' }), 'Ctrl+F')).toBe(false);
    expect(matchesKey(key({ key: 'f', ctrlKey: true, altKey: true }), 'Ctrl+F')).toBe(false);
    expect(matchesKey(key({ key: 'ArrowRight', shiftKey: true }), 'Shift+ArrowRight')).toBe(true);
    expect(matchesKey(key({ key: 'ArrowRight' }), 'Shift+ArrowRight')).toBe(false);
    expect(matchesKey(key({ key: '+', ctrlKey: true }), 'Ctrl++')).toBe(true);
  });

  it('printable key ignores Shift', () => {
    expect(matchesKey(key({ key: '?', shiftKey: true }), '?')).toBe(true);
    expect(matchesKey(key({ key: '?' }), '?')).toBe(true);
    expect(matchesKey(key({ key: '?', ctrlKey: true }), '?')).toBe(false);
  });

  it('dispatch runs newest match', () => {
    const first = vi.fn();
    const second = vi.fn();
    registerShortcut({ id: 'a', keys: ['F2'], description: 'first', group: 'General', run: first });
    registerShortcut({ id: 'b', keys: ['F2'], description: 'second', group: 'General', run: second });
    const event = key({ key: 'F2' });
    expect(dispatchShortcut(event)).toBe(true);
    expect(second).toHaveBeenCalledOnce();
    expect(first).not.toHaveBeenCalled();
    expect(event.defaultPrevented).toBe(true);
  });

  it('text fields keep typed keys', () => {
    const run = vi.fn();
    registerShortcut({ id: 'help', keys: ['?'], description: 'help', group: 'General', run });
    const input = document.createElement('input');
    expect(dispatchShortcut(key({ key: '?' }, input))).toBe(false);
    expect(run).not.toHaveBeenCalled();

    registerShortcut({ id: 'help', keys: ['?'], description: 'help', group: 'General', run, inTextFields: true });
    expect(dispatchShortcut(key({ key: '?' }, input))).toBe(true);
    expect(run).toHaveBeenCalledOnce();
  });

  it('unregister and same id replace', () => {
    const remove = registerShortcut({ id: 'x', keys: ['F3'], description: 'old', group: 'General' });
    registerShortcut({ id: 'x', keys: ['F3'], description: 'new', group: 'General' });
    expect(shortcuts.value.map((entry) => entry.description)).toEqual(['new']);
    remove();
    expect(shortcuts.value.map((entry) => entry.description)).toEqual(['new']);
    shortcuts.value = [];
    const removeOwn = registerShortcut({ id: 'y', keys: ['F4'], description: 'own', group: 'General' });
    removeOwn();
    expect(shortcuts.value).toEqual([]);
  });

  it('groups keep first-seen order', () => {
    const list: Shortcut[] = [
      { id: '1', keys: ['?'], description: 'help', group: 'General' },
      { id: '2', keys: ['+'], description: 'zoom', group: 'Timeline' },
      { id: '3', keys: ['F1'], description: 'help again', group: 'General' },
    ];
    expect(groupedShortcuts(list).map((group) => [group.group, group.shortcuts.map((entry) => entry.id)])).toEqual([
      ['General', ['1', '3']],
      ['Timeline', ['2']],
    ]);
  });
});
