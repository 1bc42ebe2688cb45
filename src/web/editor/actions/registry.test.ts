import { describe, expect, it } from 'vitest';
import { Editor } from '../editor';
import { MemoryApi } from '../memory-api-test-support';
import { ACTION_GROUPS, type Action } from './action';
import { formatKey, normalizeKey } from './keys';
import { ACTIONS, actionById, buildKeymap, dispatchKey, helpSections } from './registry';

/** The KeyboardEvent fields a person produces for a canonical key string (US layout). */
function pressOf(key: string) {
  const parts = key === '+' ? ['+'] : key.split('+');
  const name = parts.at(-1)!;
  const mods = new Set(parts.slice(0, -1));
  const shift = mods.has('Shift');
  const typed = name === 'Space' ? ' ' : /^[a-z]$/.test(name) && shift ? name.toUpperCase() : name;
  return {
    key: typed,
    code: /^[a-z]$/.test(name) ? `Key${name.toUpperCase()}` : undefined,
    ctrlKey: mods.has('Ctrl'),
    altKey: mods.has('Alt'),
    shiftKey: shift || ['?', '+'].includes(name),
  };
}

describe('action registry', () => {
  it('binds every key once', () => {
    const keymap = buildKeymap(ACTIONS);
    const total = ACTIONS.reduce((n, a) => n + a.keys.length, 0);
    expect(keymap.size).toBe(total);
  });

  it('refuses a key bound twice, naming both actions', () => {
    const a: Action = { id: 'a.one', label: 'One', keys: ['q'], group: 'View', run: () => {} };
    const b: Action = { id: 'a.two', label: 'Two', keys: ['q'], group: 'View', run: () => {} };
    expect(() => buildKeymap([a, b])).toThrow('Key "q" is bound to both "a.one" and "a.two"');
    expect(() => buildKeymap([a, { ...a, keys: [] }])).toThrow(
      'Action id "a.one" is registered twice',
    );
  });

  it('gives every action an id, a label and a known group', () => {
    const ids = new Set<string>();
    for (const action of ACTIONS) {
      expect(action.id).toMatch(/^[a-z-]+\.[a-z0-9-]+$/);
      expect(action.label.trim().length, action.id).toBeGreaterThan(3);
      expect(ACTION_GROUPS).toContain(action.group);
      ids.add(action.id);
    }
    expect(ids.size).toBe(ACTIONS.length);
  });

  it('writes every key in canonical form, so the key a person presses finds it', () => {
    for (const action of ACTIONS) {
      for (const key of action.keys) {
        expect(normalizeKey(pressOf(key)), `${action.id}: ${key}`).toBe(key);
      }
    }
  });

  it('keeps the seed tool keys', () => {
    const keymap = buildKeymap(ACTIONS);
    const expected: Record<string, string> = {
      a: 'prompt.accept',
      n: 'nav.next',
      p: 'nav.previous',
      w: 'prompt.toggle-tool',
      x: 'prompt.clear',
      c: 'objects.clear',
      z: 'history.undo',
      y: 'history.redo',
      m: 'view.masks',
      b: 'view.boxes',
      l: 'view.labels',
      t: 'view.points',
      r: 'view.review',
      e: 'windows.export',
      '[': 'view.opacity-down',
      ']': 'view.opacity-up',
      f: 'status.faulty',
      d: 'status.done',
      '?': 'windows.help',
      Tab: 'prompt.next-candidate',
      Delete: 'objects.delete',
      'Ctrl+z': 'history.undo',
      'Ctrl+Shift+z': 'history.redo',
    };
    for (const [key, id] of Object.entries(expected)) expect(keymap.get(key)?.id, key).toBe(id);
  });

  it('lists every action in the help, grouped in the registry order', () => {
    const sections = helpSections();
    const listed = sections.flatMap((s) => s.rows.map((r) => r.id));
    expect(listed.sort()).toEqual(ACTIONS.map((a) => a.id).sort());
    expect(sections.map((s) => s.group)).toEqual(
      ACTION_GROUPS.filter((g) => ACTIONS.some((a) => a.group === g)),
    );
    const accept = sections.flatMap((s) => s.rows).find((r) => r.id === 'prompt.accept')!;
    expect(accept).toMatchObject({ keys: ['a', 'Enter'], records: true });
  });

  it('dispatches a key press to its action only when enabled', async () => {
    const editor = new Editor(new MemoryApi(3));
    await editor.init();
    const keymap = buildKeymap(ACTIONS);
    expect(editor.state.view.showMasks).toBe(true);
    expect(dispatchKey(editor, { key: 'm' }, keymap)?.id).toBe('view.masks');
    expect(editor.state.view.showMasks).toBe(false);
    // Nothing selected: Delete is bound but disabled, so nothing runs.
    expect(dispatchKey(editor, { key: 'Delete' }, keymap)?.id).toBe('objects.delete');
    expect(dispatchKey(editor, { key: 'Shift' }, keymap)).toBeNull();
    expect(dispatchKey(editor, { key: 'q' }, keymap)).toBeNull();
    expect(actionById('view.masks').checked!(editor)).toBe(false);
  });
});

describe('keys', () => {
  it('normalises modifiers, letters and symbols', () => {
    expect(normalizeKey({ key: 'Z', shiftKey: true, ctrlKey: true })).toBe('Ctrl+Shift+z');
    expect(normalizeKey({ key: 'z', metaKey: true })).toBe('Ctrl+z');
    expect(normalizeKey({ key: '?', shiftKey: true })).toBe('?');
    expect(normalizeKey({ key: ' ' })).toBe('Space');
    expect(normalizeKey({ key: 'Tab', shiftKey: true })).toBe('Shift+Tab');
    // macOS Alt+0 types 'º'; a Cyrillic layout types 'я' on the Z key.
    expect(normalizeKey({ key: 'º', code: 'Digit0', altKey: true })).toBe('Alt+0');
    expect(normalizeKey({ key: 'я', code: 'KeyZ' })).toBe('z');
    expect(normalizeKey({ key: 'Control', ctrlKey: true })).toBeNull();
  });

  it('formats keys for people', () => {
    expect(formatKey('Ctrl+Shift+z')).toBe('Ctrl Shift Z');
    expect(formatKey('ArrowLeft')).toBe('←');
    expect(formatKey('+')).toBe('+');
  });
});
