import type { Editor } from '../editor/editor';
import type { Overlay } from '../editor/editor-state';
import { CanvasView } from './canvas/canvas-view';
import { candidateBar } from './candidate-bar';
import { classPicker } from './dialogs/class-picker';
import { exportDialog } from './dialogs/export-dialog';
import { helpOverlay } from './dialogs/help-overlay';
import { statsPage } from './dialogs/stats-page';
import { h, replaceChildren } from './dom';
import { header } from './header';
import { bindKeyboard } from './keyboard';
import { classesPanel } from './panels/classes-panel';
import { imageListPanel } from './panels/image-list';
import { objectsPanel } from './panels/objects-panel';
import { banners, statusBar } from './status-bar';
import { toasts } from './toasts';

const DIALOGS: Record<Exclude<Overlay, 'none'>, (editor: Editor) => HTMLElement> = {
  help: helpOverlay,
  export: exportDialog,
  stats: statsPage,
  classes: classPicker,
};

/** Builds the page around the editor: header, image list, canvas, panels, status bar, dialogs. */
export function mountApp(root: HTMLElement, editor: Editor): void {
  const canvas = new CanvasView(editor);
  const center = h('main', { class: 'center', testid: 'center' }, canvas.el, candidateBar(editor));
  const right = h(
    'aside',
    { class: 'sidebar right', testid: 'side-panel' },
    classesPanel(editor),
    objectsPanel(editor),
  );
  const shell = h(
    'div',
    { class: 'app', testid: 'app-shell' },
    header(editor),
    banners(editor),
    h('div', { class: 'main' }, imageListPanel(editor), center, right),
    statusBar(editor),
  );
  const overlayHost = h('div', { testid: 'overlay-host' });
  replaceChildren(root, shell, toasts(editor), overlayHost);

  editor.store.subscribe(
    (state) => {
      const make = state.overlay === 'none' ? null : DIALOGS[state.overlay];
      replaceChildren(overlayHost, make ? make(editor) : null);
      if (!make) canvas.focus();
    },
    ['overlay'],
  );

  editor.store.subscribe(
    (state) => shell.classList.toggle('no-panels', !state.view.panels),
    ['view'],
  );

  editor.store.subscribe(
    (state) => {
      if (!state.fatal) return;
      replaceChildren(
        root,
        h(
          'div',
          { class: 'fatal', testid: 'fatal' },
          h(
            'div',
            { class: 'box' },
            h('h2', { text: 'Cannot start the annotator' }),
            h('p', { text: state.fatal }),
            h('p', {
              text: 'Check that sam-annotator serve is running, and open the address it printed (with its ?token= when one is set).',
            }),
          ),
        ),
      );
    },
    ['fatal'],
  );

  // The open image in the address, so a reload or a shared link comes back to it.
  editor.store.subscribe(
    (state) => {
      if (state.image) history.replaceState(null, '', `#image=${state.image.id}`);
    },
    ['image'],
  );

  bindKeyboard(editor, (held) => canvas.setSpace(held));
  canvas.focus();
}
