import { ExportError } from './errors.js';

/** `cats/001.jpg` -> `cats/001`: the image's path without its extension. */
export function stemPath(imagePath: string): string {
  const slash = imagePath.lastIndexOf('/');
  const dot = imagePath.lastIndexOf('.');
  // A dot that starts the name (".jpg") is not an extension.
  return dot > slash + 1 ? imagePath.slice(0, dot) : imagePath;
}

/**
 * Where Ultralytics looks for the label of the image at `images/<imagePath>` inside the export
 * (ultralytics/data/utils.py img2label_paths): the last `/images/` of the path becomes
 * `/labels/` and the extension `.txt`. Usually `labels/<folders>/<stem>.txt`; an image inside
 * a folder itself called `images` has its label beside that folder, where Ultralytics looks.
 */
export function yoloLabelPath(imagePath: string): string {
  const full = `/images/${imagePath}`;
  const at = full.lastIndexOf('/images/');
  const swapped = `${full.slice(0, at)}/labels/${full.slice(at + '/images/'.length)}`;
  return `${stemPath(swapped).slice(1)}.txt`;
}

/**
 * Output files claimed by images, so that two images never write the same label (`a.jpg` and
 * `a.png` in one folder). Compared without case: the export may be read on a case-insensitive
 * file system (macOS, Windows), where `A.txt` and `a.txt` are one file.
 */
export class OutputClaims {
  private readonly owners = new Map<string, string>();

  constructor(private readonly what: string) {}

  claim(output: string, imagePath: string): void {
    const key = output.normalize('NFC').toLowerCase();
    const owner = this.owners.get(key);
    if (owner !== undefined) {
      throw new ExportError(
        `images ${owner} and ${imagePath} would both write ${this.what} ${output}; rename one of them (names are compared without case)`,
        `images[${imagePath}]`,
        output,
      );
    }
    this.owners.set(key, imagePath);
  }
}

/** Refuses paths that would break a one-path-per-line list file. */
export function checkListablePath(imagePath: string, list: string): void {
  if (/[\r\n]/.test(imagePath)) {
    throw new ExportError(
      `images[${JSON.stringify(imagePath)}]: a line break in the path cannot be written to ${list}`,
      `images[${imagePath}]`,
      imagePath,
    );
  }
}
