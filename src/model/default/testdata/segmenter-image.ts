/** Kept for the tests and benches that import it from here: the adapter lives in model/. */
export { segmenterImageFromFile } from '../../segmenter-image.js';
