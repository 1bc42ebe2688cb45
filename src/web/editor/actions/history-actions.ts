import type { Action } from './action';

export const historyActions: Action[] = [
  {
    id: 'history.undo',
    repeat: true,
    label: 'Undo (the last prompt point first)',
    keys: ['z', 'Ctrl+z'],
    group: 'History',
    history: 'records',
    enabled: (e) => e.prompt.hasPrompt || e.history.canUndo,
    run: (e) => e.undo(),
  },
  {
    id: 'history.redo',
    repeat: true,
    label: 'Redo',
    keys: ['y', 'Ctrl+Shift+z', 'Ctrl+y'],
    group: 'History',
    history: 'records',
    enabled: (e) => e.history.canRedo,
    run: (e) => e.redo(),
  },
];
