import type { Action } from './action';

const hasImage = (e: Parameters<Action['run']>[0]) => e.state.image !== null;

export const navigationActions: Action[] = [
  {
    id: 'nav.next',
    repeat: true,
    label: 'Next image',
    keys: ['n', 'ArrowRight'],
    group: 'Navigation',
    enabled: hasImage,
    run: (e) => e.go(1),
  },
  {
    id: 'nav.previous',
    repeat: true,
    label: 'Previous image',
    keys: ['p', 'ArrowLeft'],
    group: 'Navigation',
    enabled: hasImage,
    run: (e) => e.go(-1),
  },
  {
    id: 'nav.jump',
    label: 'Jump to image (number or path)',
    keys: ['j'],
    group: 'Navigation',
    run: (e) => e.requestFocus('jump'),
  },
  {
    id: 'nav.search',
    label: 'Search the image list',
    keys: ['/'],
    group: 'Navigation',
    run: (e) => e.requestFocus('search'),
  },
  {
    id: 'status.done',
    label: 'Mark the image done (again: back to in progress)',
    keys: ['d'],
    group: 'Image status',
    enabled: hasImage,
    checked: (e) => e.state.image?.status === 'done',
    run: (e) => e.toggleImageStatus('done'),
  },
  {
    id: 'status.faulty',
    label: 'Mark the image faulty (again: back to in progress)',
    keys: ['f'],
    group: 'Image status',
    enabled: hasImage,
    checked: (e) => e.state.image?.status === 'faulty',
    run: (e) => e.toggleImageStatus('faulty'),
  },
];
