/** Public API of formats/: COCO, YOLO (detection and segmentation), Pascal VOC and the seed tool's layout. */
export * from './export/index.js';
export * from './import/index.js';
export * from './classes/index.js';
