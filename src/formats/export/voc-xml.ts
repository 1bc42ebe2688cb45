import type { BboxXywh } from '../../geometry/index.js';

export interface VocObject {
  name: string;
  bbox: BboxXywh;
  truncated: boolean;
}

export interface VocAnnotation {
  folder: string;
  filename: string;
  width: number;
  height: number;
  objects: readonly VocObject[];
}

/**
 * A Pascal VOC annotation file, laid out as VOC's own (tab-indented, no XML declaration).
 * Boxes use VOC's 1-based inclusive pixel numbers: the pixel-edge box [x, y, w, h] covers
 * pixels x..x+w-1, so xmin = x + 1 and xmax = x + w.
 */
export function vocXml(a: VocAnnotation): string {
  const lines = [
    '<annotation>',
    `\t<folder>${escapeXml(a.folder)}</folder>`,
    `\t<filename>${escapeXml(a.filename)}</filename>`,
    '\t<source>',
    '\t\t<database>sam-annotator</database>',
    '\t</source>',
    '\t<size>',
    `\t\t<width>${a.width}</width>`,
    `\t\t<height>${a.height}</height>`,
    '\t\t<depth>3</depth>',
    '\t</size>',
    '\t<segmented>1</segmented>',
  ];
  for (const o of a.objects) {
    const [x, y, w, h] = o.bbox;
    lines.push(
      '\t<object>',
      `\t\t<name>${escapeXml(o.name)}</name>`,
      '\t\t<pose>Unspecified</pose>',
      `\t\t<truncated>${o.truncated ? 1 : 0}</truncated>`,
      '\t\t<difficult>0</difficult>',
      '\t\t<bndbox>',
      `\t\t\t<xmin>${x + 1}</xmin>`,
      `\t\t\t<ymin>${y + 1}</ymin>`,
      `\t\t\t<xmax>${x + w}</xmax>`,
      `\t\t\t<ymax>${y + h}</ymax>`,
      '\t\t</bndbox>',
      '\t</object>',
    );
  }
  lines.push('</annotation>');
  return `${lines.join('\n')}\n`;
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}
