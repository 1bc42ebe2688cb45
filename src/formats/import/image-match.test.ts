import { describe, expect, it } from 'vitest';
import { DatasetImageLookup, mirroredStemPaths } from './image-match.js';

const lookup = new DatasetImageLookup([
  'images/train/a.jpg',
  'images/val/a.jpg',
  'coco/train2017/000001.jpg',
  'flat.png',
  'caf\u0065\u0301.jpg', // NFD on disk (macOS)
]);

describe('DatasetImageLookup.matchFileName', () => {
  it('finds exact paths, Windows separators and NFC/NFD variants', () => {
    expect(lookup.matchFileName('images/train/a.jpg', null)).toMatchObject({
      kind: 'found',
      path: 'images/train/a.jpg',
    });
    expect(lookup.matchFileName('.\\images\\val\\a.jpg', null)).toMatchObject({
      path: 'images/val/a.jpg',
    });
    expect(lookup.matchFileName('caf\u00e9.jpg', null)).toMatchObject({
      path: 'caf\u0065\u0301.jpg',
    });
  });

  it('resolves against the annotation folder, then by path tail, then by basename', () => {
    expect(lookup.matchFileName('../images/val/a.jpg', 'annotations')).toMatchObject({
      how: 'path from the file',
      path: 'images/val/a.jpg',
    });
    expect(lookup.matchFileName('/data/coco/train2017/000001.jpg', null)).toMatchObject({
      how: 'path suffix',
    });
    expect(lookup.matchFileName('train2017/000001.jpg', null)).toMatchObject({
      how: 'path suffix',
    });
    expect(lookup.matchFileName('000001.jpg', null)).toMatchObject({ how: 'basename' });
    expect(lookup.matchFileName('a.jpg', null)).toEqual({
      kind: 'ambiguous',
      candidates: ['images/train/a.jpg', 'images/val/a.jpg'],
    });
  });

  it('never lets a traversing name escape to a file the dataset does not list', () => {
    for (const name of [
      '../../etc/passwd',
      '/etc/passwd',
      '../../../flat.png/..',
      '..',
      '',
      'images/../../flat.jpg',
    ]) {
      expect(lookup.matchFileName(name, 'annotations').kind, name).not.toBe('found');
    }
    // A traversing name whose last part is a dataset image's name still selects only that image.
    expect(lookup.matchFileName('../../x/flat.png', null)).toMatchObject({ path: 'flat.png' });
  });
});

describe('label file matching', () => {
  it('mirrors labels/ to images/, then drops it, then tries the path as it is', () => {
    expect(mirroredStemPaths('labels/train/a', null, ['labels'], 'images')).toEqual([
      'images/train/a',
      'train/a',
      'labels/train/a',
    ]);
    expect(mirroredStemPaths('labels/a', 'ds', ['labels'], 'images')).toEqual([
      'ds/images/a',
      'images/a',
      'ds/a',
      'a',
      'ds/labels/a',
      'labels/a',
    ]);
    expect(
      lookup.matchStem(mirroredStemPaths('labels/val/a', null, ['labels'], 'images'), 'a'),
    ).toMatchObject({ path: 'images/val/a.jpg' });
    expect(lookup.matchStem(['nowhere/flat'], 'flat')).toMatchObject({
      how: 'file stem',
      path: 'flat.png',
    });
    expect(lookup.matchStem(['nowhere/a'], 'a').kind).toBe('ambiguous');
  });
});
