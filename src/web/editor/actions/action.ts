import type { Editor } from '../editor';

export type ActionGroup =
  'Navigation' | 'Prompt' | 'Objects' | 'Classes' | 'History' | 'Image status' | 'View' | 'Windows';

/** Display order of the groups in menus and in the help overlay. */
export const ACTION_GROUPS: readonly ActionGroup[] = [
  'Prompt',
  'Objects',
  'Classes',
  'History',
  'Navigation',
  'Image status',
  'View',
  'Windows',
];

/**
 * One user action. The registry list drives the keyboard handler, the menus, the toolbar and
 * the help overlay, so a shortcut, label or enablement is stated once, here.
 */
export interface Action {
  /** Stable id, e.g. "prompt.accept" (used by the toolbar and tests). */
  id: string;
  label: string;
  /** Canonical key strings (see keys.ts): 'a', 'Enter', 'Ctrl+z', 'Shift+Tab'. */
  keys: readonly string[];
  group: ActionGroup;
  /** `key` is the canonical key that triggered it (for actions bound to several, e.g. digits). */
  run(editor: Editor, key?: string): void | Promise<unknown>;
  /** When false the key does nothing and menu entries are greyed out. */
  enabled?(editor: Editor): boolean;
  /** 'records': the change lands in the image's undo history. */
  history?: 'records' | 'none';
  /** Not offered in menus (keyboard-only, e.g. the digit keys). */
  menu?: false;
  /** A held key repeats it (navigation, zoom, undo); others run once per press. */
  repeat?: boolean;
  /** For toggles: whether it is on now (menus show a check mark). */
  checked?(editor: Editor): boolean;
}

export function isEnabled(action: Action, editor: Editor): boolean {
  return action.enabled ? action.enabled(editor) : true;
}
