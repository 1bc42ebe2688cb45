import type { Editor } from '../editor';
import { ACTION_GROUPS, isEnabled, type Action, type ActionGroup } from './action';
import { historyActions } from './history-actions';
import { navigationActions } from './navigation-actions';
import { objectActions } from './object-actions';
import { promptActions } from './prompt-actions';
import { viewActions } from './view-actions';
import { normalizeKey, type KeyInput } from './keys';

/** Every action of the page, once. */
export const ACTIONS: readonly Action[] = [
  ...promptActions,
  ...objectActions,
  ...historyActions,
  ...navigationActions,
  ...viewActions,
];

/** key string -> action; throws on a key bound twice, naming both actions. */
export function buildKeymap(actions: readonly Action[]): Map<string, Action> {
  const map = new Map<string, Action>();
  const ids = new Set<string>();
  for (const action of actions) {
    if (ids.has(action.id)) throw new Error(`Action id "${action.id}" is registered twice`);
    ids.add(action.id);
    for (const key of action.keys) {
      const other = map.get(key);
      if (other) {
        throw new Error(`Key "${key}" is bound to both "${other.id}" and "${action.id}"`);
      }
      map.set(key, action);
    }
  }
  return map;
}

export function actionById(id: string, actions: readonly Action[] = ACTIONS): Action {
  const action = actions.find((a) => a.id === id);
  if (!action) throw new Error(`No action "${id}"`);
  return action;
}

export interface HelpSection {
  group: ActionGroup;
  rows: { id: string; label: string; keys: readonly string[]; records: boolean }[];
}

/** The help overlay's content, in group order, straight from the registry. */
export function helpSections(actions: readonly Action[] = ACTIONS): HelpSection[] {
  return ACTION_GROUPS.map((group) => ({
    group,
    rows: actions
      .filter((a) => a.group === group)
      .map((a) => ({ id: a.id, label: a.label, keys: a.keys, records: a.history === 'records' })),
  })).filter((section) => section.rows.length > 0);
}

/**
 * Finds and runs the action bound to a key press. Returns the action when one was bound (the
 * caller then prevents the browser's default), whether or not it was enabled.
 */
export function dispatchKey(
  editor: Editor,
  input: KeyInput,
  keymap: Map<string, Action>,
): Action | null {
  const key = normalizeKey(input);
  if (!key) return null;
  const action = keymap.get(key);
  if (!action) return null;
  if (isEnabled(action, editor)) void runAction(editor, action, key);
  return action;
}

/** Runs an action and reports a thrown error as a toast rather than an unhandled rejection. */
export async function runAction(editor: Editor, action: Action, key?: string): Promise<void> {
  try {
    await action.run(editor, key);
  } catch (error) {
    editor.notify(
      'error',
      `${action.label}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
