import type { Action } from './action';

const hasSelection = (e: Parameters<Action['run']>[0]) => e.state.selectedObjectId !== null;

export const objectActions: Action[] = [
  {
    id: 'objects.delete',
    label: 'Delete the selected object',
    keys: ['Delete', 'Backspace'],
    group: 'Objects',
    history: 'records',
    enabled: hasSelection,
    run: (e) => e.deleteObject(),
  },
  {
    id: 'objects.refine',
    label: 'Refine the selected object with more clicks',
    keys: ['u'],
    group: 'Objects',
    history: 'records',
    enabled: (e) => hasSelection(e) && e.canPrompt,
    run: (e) => e.editSelected(),
  },
  {
    id: 'objects.hide',
    label: 'Hide / show the selected object',
    keys: ['h'],
    group: 'Objects',
    enabled: hasSelection,
    run: (e) => e.toggleHidden(),
  },
  {
    id: 'objects.next',
    repeat: true,
    label: 'Select the next object',
    keys: ['ArrowDown'],
    group: 'Objects',
    enabled: (e) => e.state.objects.length > 0,
    run: (e) => e.selectNextObject(1),
  },
  {
    id: 'objects.previous',
    repeat: true,
    label: 'Select the previous object',
    keys: ['ArrowUp'],
    group: 'Objects',
    enabled: (e) => e.state.objects.length > 0,
    run: (e) => e.selectNextObject(-1),
  },
  {
    id: 'objects.clear',
    label: 'Remove all objects of this image',
    keys: ['c'],
    group: 'Objects',
    history: 'records',
    enabled: (e) => e.state.objects.length > 0,
    run: (e) => e.clearObjects(),
  },
  {
    id: 'classes.picker',
    label: 'Class picker: search, colours, new class',
    keys: ['k'],
    group: 'Classes',
    run: (e) => {
      e.openOverlay('classes');
      if (e.state.overlay === 'classes') e.requestFocus('class-search');
    },
  },
];
