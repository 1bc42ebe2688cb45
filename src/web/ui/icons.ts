import { svg } from './dom';

/** Line icons drawn on a 20x20 grid (stroke = currentColor); no icon font or CDN. */
const PATHS: Record<string, string> = {
  points: 'M6 10a2 2 0 1 0 0.01 0M14 6a2 2 0 1 0 0.01 0M13 14a2 2 0 1 0 0.01 0',
  box: 'M4 5h12v10H4z',
  undo: 'M7 5L3 9l4 4M3 9h9a4 4 0 0 1 0 8h-3',
  redo: 'M13 5l4 4-4 4M17 9H8a4 4 0 0 0 0 8h3',
  check: 'M4 10.5l4 4 8-9',
  done: 'M10 3a7 7 0 1 0 0.01 0M6.5 10.5l2.5 2.5 4.5-5',
  flag: 'M5 17V3M5 4h9l-2 3.5 2 3.5H5',
  review: 'M3 4h6v12H3zM11 4h6v12h-6z',
  help: 'M10 3a7 7 0 1 0 0.01 0M8 8a2 2 0 1 1 3 1.7c-.7.4-1 .8-1 1.6M10 14v.5',
  export: 'M10 3v9M6 8l4 4 4-4M4 15v2h12v-2',
  stats: 'M4 16V9M8 16V5M12 16v-5M16 16V7',
  eye: 'M2 10s3-5 8-5 8 5 8 5-3 5-8 5-8-5-8-5zM10 8a2 2 0 1 0 0.01 0',
  eyeOff: 'M2 10s3-5 8-5 8 5 8 5-3 5-8 5-8-5-8-5zM3 3l14 14',
  trash: 'M4 6h12M8 6V4h4v2M6 6l1 10h6l1-10',
  close: 'M5 5l10 10M15 5L5 15',
  warning: 'M10 3l8 14H2zM10 8v4M10 14.5v.5',
  fit: 'M3 7V3h4M13 3h4v4M17 13v4h-4M7 17H3v-4',
  hover: 'M4 3l11 6-5 1.5L8 16z',
};

export function icon(name: keyof typeof PATHS | string, size = 16): SVGSVGElement {
  return svg(
    'svg',
    {
      viewBox: '0 0 20 20',
      width: size,
      height: size,
      fill: 'none',
      stroke: 'currentColor',
      'stroke-width': 1.6,
      'stroke-linecap': 'round',
      'stroke-linejoin': 'round',
      'aria-hidden': 'true',
      class: 'icon',
    },
    svg('path', { d: PATHS[name] ?? PATHS.box! }),
  );
}
