import type { ObjectDto, ObjectWarning } from '../api/types';

/**
 * Each object's warnings, with an overlap shown on both objects of the pair: the server lists
 * it once, on one of them (with `otherObjectId`), but either may be the one to fix.
 */
export function warningsByObject(
  objects: readonly ObjectDto[],
): ReadonlyMap<number, readonly ObjectWarning[]> {
  const result = new Map<number, ObjectWarning[]>(objects.map((o) => [o.id, [...o.warnings]]));
  for (const object of objects) {
    for (const warning of object.warnings) {
      if (warning.kind !== 'overlap' || warning.otherObjectId === undefined) continue;
      const other = result.get(warning.otherObjectId);
      if (!other || other.some((w) => w.kind === 'overlap' && w.otherObjectId === object.id)) {
        continue;
      }
      other.push({ ...warning, otherObjectId: object.id });
    }
  }
  return result;
}
