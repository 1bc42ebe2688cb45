import type { BooleanViewKey } from '../editor-state';
import type { Action } from './action';

/** A view option switched on and off by one key; menus show it checked while on. */
export function viewToggle(
  id: string,
  label: string,
  key: string,
  option: BooleanViewKey,
  extra: Partial<Action> = {},
): Action {
  return {
    id,
    label,
    keys: [key],
    group: 'View',
    checked: (e) => e.state.view[option],
    run: (e) => e.toggleView(option),
    ...extra,
  };
}

const OPACITY_STEP = 0.1;
const ZOOM_STEP = 1.25;

export const viewActions: Action[] = [
  viewToggle('view.masks', 'Show masks', 'm', 'showMasks'),
  viewToggle('view.boxes', 'Show boxes', 'b', 'showBoxes'),
  viewToggle('view.labels', 'Show labels', 'l', 'showLabels'),
  viewToggle('view.points', 'Show prompt points', 't', 'showPoints'),
  {
    id: 'view.opacity-down',
    repeat: true,
    label: 'Mask opacity down',
    keys: ['['],
    group: 'View',
    run: (e) => e.setView({ opacity: e.state.view.opacity - OPACITY_STEP }),
  },
  {
    id: 'view.opacity-up',
    repeat: true,
    label: 'Mask opacity up',
    keys: [']'],
    group: 'View',
    run: (e) => e.setView({ opacity: e.state.view.opacity + OPACITY_STEP }),
  },
  {
    id: 'view.zoom-in',
    repeat: true,
    label: 'Zoom in',
    keys: ['=', '+'],
    group: 'View',
    run: (e) => e.camera.zoomBy(ZOOM_STEP),
  },
  {
    id: 'view.zoom-out',
    repeat: true,
    label: 'Zoom out',
    keys: ['-'],
    group: 'View',
    run: (e) => e.camera.zoomBy(1 / ZOOM_STEP),
  },
  {
    id: 'view.fit',
    label: 'Fit the image to the window',
    keys: ['0'],
    group: 'View',
    run: (e) => e.camera.fit(),
  },
  {
    id: 'view.actual-pixels',
    label: 'Zoom to 1 screen pixel per image pixel',
    keys: ['Alt+0'],
    group: 'View',
    run: (e) => e.camera.zoomTo(1),
  },
  viewToggle('view.review', 'Review: picture and masks side by side', 'r', 'review', {
    enabled: (e) => e.state.image !== null,
  }),
  viewToggle('view.panels', 'Show side panels', 'v', 'panels'),
  {
    id: 'windows.help',
    label: 'Keyboard shortcuts',
    keys: ['?', 'F1'],
    group: 'Windows',
    run: (e) => e.openOverlay('help'),
  },
  {
    id: 'windows.export',
    label: 'Export annotations…',
    keys: ['e'],
    group: 'Windows',
    run: (e) => e.openOverlay('export'),
  },
  {
    id: 'windows.stats',
    label: 'Statistics',
    keys: ['g'],
    group: 'Windows',
    run: (e) => e.openOverlay('stats'),
  },
];
