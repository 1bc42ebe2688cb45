/**
 * Pascal VOC segmentation: SegmentationObject/<name>.png holds one index per object (1..n,
 * 0 background, 255 void), SegmentationClass/<name>.png the class index of every pixel, and
 * Annotations/<name>.xml lists the objects in index order with their class names. An object's
 * class comes from the XML when there is one, else from the majority class index under it.
 * Without SegmentationObject, every class present in a SegmentationClass mask becomes one
 * object. Class names by index: labelmap.txt (as CVAT writes it), the caller's list, or VOC's 21.
 * Void pixels (255) belong to no object. PNG indices are read as stored (png-samples.ts); RGB
 * masks are mapped back through the colormap.
 */
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { createBitmap, encodeRuns } from '../../geometry/index.js';
import { BatchBuilder, type ImportResult } from './batch-builder.js';
import { datasetRelative, imageSizesFor, type ImageSize, type ImportContext } from './context.js';
import { ImportError } from './errors.js';
import { DatasetImageLookup, mirroredStemPaths } from './image-match.js';
import { imageForFile, type UnmatchedPolicy } from './label-files.js';
import { listFiles } from './list-files.js';
import { decodePngSamples } from './png-samples.js';
import { readInputBytes, readInputText, splitLines } from './read-input.js';
import { vocColormap } from '../export/palette-png.js';
import { indicesOf, VOC_CLASS_NAMES, VOC_VOID } from './voc-colors.js';
import { childrenNamed, parseXml } from './xml-lite.js';

export interface VocImportOptions {
  /** Class names by SegmentationClass index (0 = background), when there is no labelmap.txt. */
  classNames?: readonly string[];
  unmatched?: UnmatchedPolicy;
}

/** Mask PNGs are small (a byte a pixel before compression); this only stops absurd files. */
const MAX_PNG_BYTES = 256 * 1024 * 1024;

interface ClassTable {
  names: readonly string[];
  /** R, G, B per class index. */
  colors: Uint8Array;
  declared: boolean;
}

const exists = async (p: string): Promise<boolean> => (await stat(p).catch(() => null)) !== null;

export async function importVoc(
  root: string,
  ctx: ImportContext,
  options: VocImportOptions = {},
): Promise<ImportResult> {
  const objectDir = path.join(root, 'SegmentationObject');
  const classDir = path.join(root, 'SegmentationClass');
  const hasObjects = await exists(objectDir);
  if (!hasObjects && !(await exists(classDir))) {
    throw new ImportError(
      { file: root },
      'a Pascal VOC folder with SegmentationObject/ or SegmentationClass/',
      'neither',
    );
  }
  const table = await classTable(root, options.classNames);
  const builder = new BatchBuilder('voc');
  if (table.declared) for (const name of table.names.slice(1)) builder.addClass(name);
  if (!hasObjects)
    builder.note(
      'no SegmentationObject folder: each class in a SegmentationClass mask became one object',
    );
  const folder = hasObjects ? 'SegmentationObject' : 'SegmentationClass';
  const files = await listFiles(path.join(root, folder), '.png');
  const lookup = new DatasetImageLookup(ctx.images.keys());
  const prefix = datasetRelative(ctx, root);
  const matched: { stemRel: string; file: string; relPath: string }[] = [];
  for (const rel of files) {
    const file = path.join(root, folder, rel);
    const stemRel = rel.slice(0, -'.png'.length);
    const candidates = mirroredStemPaths(`${folder}/${stemRel}`, prefix, [folder], 'JPEGImages');
    const relPath = imageForFile(
      lookup.matchStem(candidates, path.posix.basename(stemRel)),
      { file, what: 'mask', where: `JPEGImages/${stemRel}.*, or the one image named so` },
      options.unmatched ?? 'error',
      builder,
    );
    if (relPath !== null) matched.push({ stemRel, file, relPath });
  }
  const sizes = await imageSizesFor(
    ctx,
    matched.map((m) => ({ relPath: m.relPath, where: { file: m.file } })),
  );
  for (let i = 0; i < matched.length; i++) {
    const { stemRel, file, relPath } = matched[i]!;
    const size = sizes[i]!;
    const other = builder.claimImage(relPath, size, file);
    if (other !== undefined)
      throw new ImportError({ file }, `the only mask for image ${relPath}`, `${other} too`);
    const indices = await readIndices(file, size, table.colors);
    if (hasObjects) {
      await addObjects(root, stemRel, file, relPath, size, indices, table, builder);
    } else {
      addSemantic(file, relPath, size, indices, table, builder);
    }
  }
  return builder.build();
}

async function readIndices(
  file: string,
  size: ImageSize,
  colors: ClassTable['colors'],
): Promise<Uint8Array> {
  const png = decodePngSamples(await readInputBytes(file, MAX_PNG_BYTES), file, size);
  return indicesOf(png, file, colors);
}

/** labelmap.txt lines are "name:r,g,b:parts:actions" (CVAT's Pascal VOC export). */
async function classTable(root: string, given?: readonly string[]): Promise<ClassTable> {
  const file = path.join(root, 'labelmap.txt');
  if (await exists(file)) {
    const names: string[] = [];
    const colors: number[] = [];
    splitLines(await readInputText(file)).forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const m = /^([^:]+):(\d{1,3}),(\d{1,3}),(\d{1,3})(?::.*)?$/.exec(line);
      const rgb = m ? [Number(m[2]), Number(m[3]), Number(m[4])] : [];
      if (!m || rgb.some((v) => v > 255)) {
        throw new ImportError({ file, line: i + 1 }, 'a line "name:r,g,b::"', JSON.stringify(line));
      }
      names.push(m[1]!.trim());
      colors.push(...rgb);
    });
    if (names.length < 2)
      throw new ImportError({ file }, 'background and at least one class', `${names.length} lines`);
    return { names, colors: Uint8Array.from(colors), declared: true };
  }
  if (given) return { names: given, colors: vocColormap(), declared: true };
  return { names: VOC_CLASS_NAMES, colors: vocColormap(), declared: false };
}

/** Object ids present (not background, not void), ascending. */
function presentIds(indices: Uint8Array): number[] {
  const seen = new Uint8Array(256);
  for (let k = 0; k < indices.length; k++) seen[indices[k]!] = 1;
  const ids: number[] = [];
  for (let v = 1; v < VOC_VOID; v++) if (seen[v]) ids.push(v);
  return ids;
}

/** One mask per value, made in one reused bitmap so memory stays at one mask. */
function addMasks(
  indices: Uint8Array,
  size: ImageSize,
  values: readonly number[],
  nameOf: (value: number) => string,
  relPath: string,
  where: string,
  builder: BatchBuilder,
): void {
  const mask = createBitmap(size.width, size.height);
  for (const value of values) {
    const data = mask.data;
    for (let k = 0; k < indices.length; k++) data[k] = indices[k] === value ? 1 : 0;
    builder.addObject(relPath, nameOf(value), encodeRuns(mask), `${where} index ${value}`);
  }
}

function classNameAt(table: ClassTable, index: number, file: string): string {
  const name = table.names[index];
  if (index === 0 || name === undefined) {
    throw new ImportError(
      { file },
      `class indices 1..${table.names.length - 1} (0 is background)`,
      `index ${index}`,
    );
  }
  return name;
}

function addSemantic(
  file: string,
  relPath: string,
  size: ImageSize,
  indices: Uint8Array,
  table: ClassTable,
  builder: BatchBuilder,
): void {
  const ids = presentIds(indices);
  const names = new Map(ids.map((c) => [c, classNameAt(table, c, file)]));
  addMasks(indices, size, ids, (c) => names.get(c)!, relPath, file, builder);
}

async function addObjects(
  root: string,
  stemRel: string,
  file: string,
  relPath: string,
  size: ImageSize,
  indices: Uint8Array,
  table: ClassTable,
  builder: BatchBuilder,
): Promise<void> {
  const ids = presentIds(indices);
  if (ids.length === 0) return;
  const names = new Map<number, string>();
  const xmlFile = path.join(root, 'Annotations', `${stemRel}.xml`);
  const classFile = path.join(root, 'SegmentationClass', `${stemRel}.png`);
  if (await exists(xmlFile)) {
    const annotation = parseXml(await readInputText(xmlFile), xmlFile);
    const objects = childrenNamed(annotation, 'object');
    for (const id of ids) {
      const object = objects[id - 1];
      const name = object ? childrenNamed(object, 'name')[0]?.text.trim() : undefined;
      if (!object) {
        throw new ImportError(
          { file: xmlFile },
          `an <object> for each object index of ${file} (index ${id})`,
          `${objects.length} objects`,
        );
      }
      if (!name)
        throw new ImportError(
          { file: xmlFile, line: object.line },
          'a <name> in the <object>',
          'none',
        );
      names.set(id, name);
    }
  } else if (await exists(classFile)) {
    const classes = await readIndices(classFile, size, table.colors);
    // Votes per object: the class index most of its pixels carry (void and background aside).
    const votes = new Map(ids.map((id) => [id, new Uint32Array(256)]));
    for (let k = 0; k < indices.length; k++) {
      const tally = votes.get(indices[k]!);
      if (tally) tally[classes[k]!]!++;
    }
    for (const id of ids) {
      const v = votes.get(id)!;
      let best = 0;
      for (let c = 1; c < VOC_VOID; c++) if (v[c]! > (best === 0 ? 0 : v[best]!)) best = c;
      if (best === 0) {
        throw new ImportError(
          { file: classFile },
          `a class under object ${id} of ${file}`,
          'only background or void',
        );
      }
      names.set(id, classNameAt(table, best, classFile));
    }
  } else {
    throw new ImportError(
      { file },
      `class names for its objects: ${xmlFile} or ${classFile}`,
      'neither',
    );
  }
  addMasks(indices, size, ids, (id) => names.get(id)!, relPath, file, builder);
}
