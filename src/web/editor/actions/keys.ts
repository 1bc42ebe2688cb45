/**
 * Canonical key strings for shortcuts: modifiers in the order Ctrl, Alt, Shift, then the key.
 * Letters are lower case ('Shift+z', never 'Z'); printable symbols ignore Shift because Shift
 * is how they are typed ('?', '+'); named keys keep their KeyboardEvent.key name ('Enter',
 * 'ArrowLeft', 'Escape', 'Delete'); the space bar is 'Space'. Meta (Cmd) counts as Ctrl.
 */
export interface KeyInput {
  key: string;
  code?: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
}

const MODIFIER_KEYS = new Set(['Control', 'Shift', 'Alt', 'Meta', 'AltGraph', 'CapsLock']);

export function normalizeKey(input: KeyInput): string | null {
  if (MODIFIER_KEYS.has(input.key) || input.key === 'Dead' || input.key === 'Unidentified') {
    return null;
  }
  let name = input.key === ' ' ? 'Space' : input.key;
  // Physical letter or digit when the layout or Alt (macOS) turned it into another character.
  const letter = /^Key([A-Z])$/.exec(input.code ?? '');
  const digit = /^Digit([0-9])$/.exec(input.code ?? '');
  if (name.length === 1 && !/^[a-z0-9]$/i.test(name)) {
    if (letter && (input.altKey || input.ctrlKey || input.metaKey || /\p{L}/u.test(name))) {
      name = letter[1]!;
    } else if (digit && (input.altKey || input.ctrlKey || input.metaKey)) {
      name = digit[1]!;
    }
  }
  const isLetter = /^[a-z]$/i.test(name);
  const isSymbol = name.length === 1 && !isLetter;
  if (name.length === 1) name = name.toLowerCase();
  const mods: string[] = [];
  if (input.ctrlKey || input.metaKey) mods.push('Ctrl');
  if (input.altKey) mods.push('Alt');
  if (input.shiftKey && !isSymbol) mods.push('Shift');
  return [...mods, name].join('+');
}

const LABELS: Record<string, string> = {
  ArrowLeft: '←',
  ArrowRight: '→',
  ArrowUp: '↑',
  ArrowDown: '↓',
  Escape: 'Esc',
  Delete: 'Del',
  Backspace: '⌫',
  Enter: 'Enter',
  Space: 'Space',
  Tab: 'Tab',
};

/** A key string as shown to people: 'Ctrl+Shift+z' -> ['Ctrl', 'Shift', 'Z']. */
export function keyParts(key: string): string[] {
  const parts = key === '+' ? ['+'] : key.split('+').map((p) => (p === '' ? '+' : p));
  return parts.map((p) => LABELS[p] ?? (p.length === 1 ? p.toUpperCase() : p));
}

export function formatKey(key: string): string {
  return keyParts(key).join(' ');
}
