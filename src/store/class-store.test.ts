import { describe, expect, it } from 'vitest';
import { CLASS_PALETTE } from './class-values.js';
import {
  ClassInUseError,
  DuplicateClassError,
  InvalidValueError,
  UnknownClassError,
} from './errors.js';
import { addImages, projectPerTest, rectRle } from './test-support.js';

const t = projectPerTest();

function addSquare(imageId: number, classId: number) {
  return t.store.objects.add({
    imageId,
    classId,
    rle: rectRle(64, 48, 0, 0, 20, 20),
    source: 'manual',
  });
}

describe('classes', () => {
  it('adds classes in order with distinct palette colours, or the colour given', () => {
    const car = t.store.classes.add('car');
    const dog = t.store.classes.add('  dog ', '#A0B1C2');
    const cat = t.store.classes.add('cat');
    expect(car).toMatchObject({ name: 'car', color: CLASS_PALETTE[0], position: 0 });
    expect(dog).toMatchObject({ name: 'dog', color: '#a0b1c2', position: 1 });
    expect(cat).toMatchObject({ name: 'cat', color: CLASS_PALETTE[1], position: 2 });
    expect(t.store.classes.list().map((c) => c.name)).toEqual(['car', 'dog', 'cat']);
    expect(new Set(CLASS_PALETTE).size).toBe(CLASS_PALETTE.length);
  });

  it('refuses a name that exists in another case, naming both', () => {
    t.store.classes.add('Straße');
    expect(() => t.store.classes.add('STRASSE')).not.toThrow();
    const err = (() => {
      try {
        t.store.classes.add('straße');
      } catch (e) {
        return e as DuplicateClassError;
      }
    })();
    expect(err).toBeInstanceOf(DuplicateClassError);
    expect(err!.message).toContain('"Straße"');
    expect(err!.message).toContain('"straße"');
    expect(err!.kind).toBe('conflict');
  });

  it('refuses bad names and colours with the value in the message', () => {
    expect(() => t.store.classes.add('   ')).toThrow(InvalidValueError);
    expect(() => t.store.classes.add('a\tb')).toThrow(/control characters/);
    expect(() => t.store.classes.add('x'.repeat(201))).toThrow(/at most 200/);
    expect(() => t.store.classes.add('ok', 'red')).toThrow(/"#rrggbb".*"red"/);
    expect(t.store.classes.list()).toEqual([]);
  });

  it('renames, recolours and reorders', () => {
    const a = t.store.classes.add('a');
    const b = t.store.classes.add('b');
    const c = t.store.classes.add('c');
    expect(t.store.classes.rename(a.id, 'Apple')).toMatchObject({ id: a.id, name: 'Apple' });
    // Renaming to another case of its own name is allowed.
    expect(t.store.classes.rename(a.id, 'APPLE').name).toBe('APPLE');
    expect(() => t.store.classes.rename(b.id, 'apple')).toThrow(DuplicateClassError);
    expect(t.store.classes.recolor(b.id, '#00FF00').color).toBe('#00ff00');
    expect(t.store.classes.reorder([c.id, a.id, b.id]).map((x) => [x.name, x.position])).toEqual([
      ['c', 0],
      ['APPLE', 1],
      ['b', 2],
    ]);
    expect(() => t.store.classes.reorder([c.id, a.id])).toThrow(/missing: 2/);
    expect(() => t.store.classes.reorder([c.id, a.id, a.id])).toThrow(/listed twice/);
    expect(() => t.store.classes.reorder([c.id, a.id, 99])).toThrow(UnknownClassError);
    expect(() => t.store.classes.rename(42, 'x')).toThrow(/No class with id 42/);
  });

  it('update changes name, colour and position at once, all or nothing', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((n) => t.store.classes.add(n));
    expect(t.store.classes.update(c!.id, { name: 'C', color: '#010203', position: 0 })).toEqual({
      id: c!.id,
      name: 'C',
      color: '#010203',
      position: 0,
    });
    expect(t.store.classes.list().map((x) => x.name)).toEqual(['C', 'a', 'b']);
    t.store.classes.update(c!.id, { position: 2 });
    expect(t.store.classes.list().map((x) => x.name)).toEqual(['a', 'b', 'C']);
    expect(() => t.store.classes.update(a!.id, { name: 'z', position: 3 })).toThrow(
      /position must be a whole number from 0 to 2, got 3/,
    );
    expect(t.store.classes.get(a!.id).name).toBe('a');
    expect(() => t.store.classes.update(b!.id, { name: 'c' })).toThrow(DuplicateClassError);
  });

  it('counts objects per class', () => {
    const [imageId] = addImages(t.store, ['a.png']);
    const [a, b] = ['a', 'b'].map((n) => t.store.classes.add(n));
    addSquare(imageId!, a!.id);
    addSquare(imageId!, a!.id);
    expect([...t.store.classes.objectCounts()]).toEqual([[a!.id, 2]]);
    expect(t.store.classes.objectCounts().get(b!.id)).toBeUndefined();
  });

  it('addMany skips existing names (any case) and maps repeats to one class', () => {
    t.store.classes.add('Car');
    const { classes, added } = t.store.classes.addMany(['car', 'person', 'PERSON', 'bike']);
    expect(classes.map((c) => c.name)).toEqual(['Car', 'person', 'person', 'bike']);
    expect(added.map((c) => c.name)).toEqual(['person', 'bike']);
    expect(t.store.classes.list().map((c) => c.position)).toEqual([0, 1, 2]);
    // One bad name: nothing is added.
    expect(() => t.store.classes.addMany(['truck', ''])).toThrow(/names\[1\]/);
    expect(t.store.classes.findByName('truck')).toBeUndefined();
  });

  it('addMany gives new classes the colours given, the palette for null, and keeps old colours', () => {
    const car = t.store.classes.add('Car', '#010203');
    const { classes, added } = t.store.classes.addMany(
      ['car', 'person', 'PERSON', 'bike', 'tree'],
      ['#ffffff', '#A0B0C0', '#000000', null],
    );
    expect(classes.map((c) => [c.name, c.color])).toEqual([
      ['Car', '#010203'],
      ['person', '#a0b0c0'],
      ['person', '#a0b0c0'],
      ['bike', CLASS_PALETTE[0]],
      ['tree', CLASS_PALETTE[1]],
    ]);
    expect(added.map((c) => c.name)).toEqual(['person', 'bike', 'tree']);
    expect(t.store.classes.get(car.id).color).toBe('#010203');
    // A bad colour, or more colours than names: refused, naming it, and nothing is added.
    expect(() => t.store.classes.addMany(['truck', 'van'], [null, 'red'])).toThrow(
      /colors\[1\] must be a colour written "#rrggbb".*got "red"/,
    );
    expect(() => t.store.classes.addMany(['truck'], [null, null])).toThrow(/at most one colour/);
    expect(t.store.classes.findByName('truck')).toBeUndefined();
  });

  it('deleting a class with objects needs reassignTo and moves them in one transaction', () => {
    const [imageId] = addImages(t.store, ['a.png']);
    const car = t.store.classes.add('car');
    const truck = t.store.classes.add('truck');
    const other = t.store.classes.add('other');
    const made = addSquare(imageId!, car.id);
    expect(() => t.store.classes.delete(car.id)).toThrow(ClassInUseError);
    expect(() => t.store.classes.delete(car.id)).toThrow(/has 1 object.*reassignTo/);
    expect(() => t.store.classes.delete(car.id, { reassignTo: 77 })).toThrow(UnknownClassError);
    expect(() => t.store.classes.delete(car.id, { reassignTo: car.id })).toThrow(/another class/);
    expect(t.store.classes.delete(car.id, { reassignTo: truck.id })).toEqual({
      reassigned: 1,
      historyCleared: 0,
    });
    expect(t.store.objects.get(made.added[0]!.id).classId).toBe(truck.id);
    expect(t.store.classes.list().map((c) => [c.name, c.position])).toEqual([
      ['truck', 0],
      ['other', 1],
    ]);
    // The undo entry was rewritten too: undoing the add and redoing it lands in truck.
    t.store.objects.undo(imageId!);
    const redone = t.store.objects.redo(imageId!);
    expect(redone!.added[0]!.classId).toBe(truck.id);
    expect(other.id).toBeGreaterThan(truck.id);
  });

  it('deleting a class whose objects are gone clears the history that still holds them', () => {
    const [imageId, otherImage] = addImages(t.store, ['a.png', 'b.png']);
    const car = t.store.classes.add('car');
    const keep = t.store.classes.add('keep');
    const made = addSquare(imageId!, car.id);
    addSquare(otherImage!, keep.id);
    t.store.objects.delete(made.added[0]!.id);
    expect(t.store.classes.delete(car.id)).toEqual({ reassigned: 0, historyCleared: 1 });
    expect(t.store.objects.historyCounts(imageId!)).toEqual({ undo: 0, redo: 0 });
    expect(t.store.objects.historyCounts(otherImage!)).toEqual({ undo: 1, redo: 0 });
  });
});
