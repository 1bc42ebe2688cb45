import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../geometry/testdata/shapes.js';
import { ImportError } from './errors.js';
import { jsonErrorOffset, parseJson } from './json-syntax.js';

const SAMPLES = [
  '{"images": [{"id": 1, "file_name": "a\\u00e9.jpg", "w": -1.5e3}], "x": [true, false, null, []], "y": {}}',
  '[[[[[]]]], {"a": {"b": [1, 2, {"c": "\\"\\\\\\/\\b\\f\\n\\r\\t"}]}}]',
  ' 0 ',
  '"text"',
];

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on valid and mutated documents', () => {
    const random = seededRandom(7);
    const alphabet = '{}[]":,0123456789.-+eE tfnrul\\x\n';
    let invalid = 0;
    for (let i = 0; i < 3000; i++) {
      let s = SAMPLES[i % SAMPLES.length]!;
      const edits = i % 5;
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(random() * (s.length + 1));
        const c = alphabet[Math.floor(random() * alphabet.length)]!;
        s = random() < 0.5 ? s.slice(0, at) + c + s.slice(at) : s.slice(0, at) + s.slice(at + 1);
      }
      let valid = true;
      try {
        JSON.parse(s);
      } catch {
        valid = false;
        invalid++;
      }
      const offset = jsonErrorOffset(s);
      expect(offset === -1, JSON.stringify(s)).toBe(valid);
      if (!valid) expect(offset).toBeLessThanOrEqual(s.length);
    }
    expect(invalid).toBeGreaterThan(1000);
  });

  it('walks deep nesting without recursion', () => {
    expect(jsonErrorOffset('['.repeat(200000))).toBe(200000);
  });

  it('names line and column', () => {
    try {
      parseJson('{\n  "a": 1,\n  "b": tru\n}', 'f.json');
      throw new Error('parsed');
    } catch (err) {
      expect(err).toBeInstanceOf(ImportError);
      expect((err as ImportError).line).toBe(3);
      expect((err as Error).message).toMatch(
        /^f.json:3: expected valid JSON, got "tru\\n}" at column 8/,
      );
    }
  });
});
