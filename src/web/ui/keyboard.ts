import { isEnabled, type Action } from '../editor/actions/action';
import { normalizeKey } from '../editor/actions/keys';
import { ACTIONS, buildKeymap, runAction } from '../editor/actions/registry';
import type { Editor } from '../editor/editor';
import type { Overlay } from '../editor/editor-state';
import { isTypingTarget } from './dom';

/** While an overlay is open only its own toggle key (and Esc) reaches the actions. */
const OVERLAY_TOGGLES: Record<Exclude<Overlay, 'none'>, string> = {
  help: 'windows.help',
  export: 'windows.export',
  stats: 'windows.stats',
  classes: 'classes.picker',
};

const BROWSER_KEYS = new Set(['Tab', 'Shift+Tab', 'Enter']);

/**
 * The one keyboard handler: key -> action through the registry's keymap. Keys typed into text
 * fields stay there (Esc leaves the field); Space held is reported for Space+drag panning.
 */
export function bindKeyboard(editor: Editor, setSpace: (held: boolean) => void): void {
  const keymap = buildKeymap(ACTIONS);
  window.addEventListener('keydown', (e) => {
    if (e.defaultPrevented) return;
    if (isTypingTarget(e.target)) {
      if (e.key === 'Escape') (e.target as HTMLElement).blur();
      return;
    }
    if (e.key === ' ') {
      setSpace(true);
      e.preventDefault();
      return;
    }
    const key = normalizeKey(e);
    const action: Action | undefined = key ? keymap.get(key) : undefined;
    const overlay = editor.state.overlay;
    if (overlay !== 'none') {
      if (e.key === 'Escape') {
        editor.closeOverlay();
        e.preventDefault();
      } else if (action?.id === OVERLAY_TOGGLES[overlay]) {
        editor.closeOverlay();
        e.preventDefault();
      }
      return;
    }
    if (!action) return;
    const enabled = isEnabled(action, editor);
    // A disabled Tab or Enter keeps its browser meaning (focus moves, buttons press).
    if (!enabled && BROWSER_KEYS.has(key!)) return;
    e.preventDefault();
    if (e.repeat && !action.repeat) return;
    if (enabled) void runAction(editor, action, key ?? undefined);
  });
  window.addEventListener('keyup', (e) => {
    if (e.key === ' ') setSpace(false);
  });
  window.addEventListener('blur', () => setSpace(false));
}
