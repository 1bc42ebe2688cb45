import type { Action } from './action';
import { viewToggle } from './view-actions';

export const promptActions: Action[] = [
  {
    id: 'prompt.accept',
    label: 'Accept the mask as an object',
    keys: ['a', 'Enter'],
    group: 'Prompt',
    history: 'records',
    enabled: (e) => e.prompt.activeCandidate !== null,
    run: (e) => e.accept(),
  },
  {
    id: 'prompt.clear',
    label: 'Clear the prompt (else deselect)',
    keys: ['x', 'Escape'],
    group: 'Prompt',
    run: (e) => e.clearPrompt(),
  },
  {
    id: 'prompt.next-candidate',
    repeat: true,
    label: 'Next candidate mask',
    keys: ['Tab'],
    group: 'Prompt',
    enabled: (e) => e.state.prompt.candidates.length > 1,
    run: (e) => e.prompt.cycle(1),
  },
  {
    id: 'prompt.previous-candidate',
    repeat: true,
    label: 'Previous candidate mask',
    keys: ['Shift+Tab'],
    group: 'Prompt',
    enabled: (e) => e.state.prompt.candidates.length > 1,
    run: (e) => e.prompt.cycle(-1),
  },
  {
    id: 'prompt.toggle-tool',
    label: 'Switch tool: points (drag pans) / box (drag draws)',
    keys: ['w'],
    group: 'Prompt',
    checked: (e) => e.state.tool === 'box',
    run: (e) => e.setTool(e.state.tool === 'box' ? 'points' : 'box'),
  },
  viewToggle('prompt.hover-preview', 'Hover preview (mask under the cursor)', 'i', 'hoverPreview', {
    group: 'Prompt',
  }),
  {
    id: 'pick.digit',
    label: 'Candidate 1-3 while prompting; else class 1-9 (re-classes the selected object)',
    keys: ['1', '2', '3', '4', '5', '6', '7', '8', '9'],
    group: 'Classes',
    menu: false,
    enabled: (e) => e.state.image !== null,
    run: (e, key) => e.pickDigit(Number(key ?? '1')),
  },
];
