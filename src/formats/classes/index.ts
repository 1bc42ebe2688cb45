/** Class lists: the seed tool's CSV (with its repairs), JSON, plain text and data.yaml names. */
export { type ClassList, SEED_MAX_CLASSES } from './class-list.js';
export {
  CLASS_COLUMN,
  SEED_ALTERNATIVE_COLUMNS,
  parseClassCsv,
  readClassCsv,
  writeClassCsv,
} from './class-csv.js';
export { parseClassJson, readClassJson } from './class-json.js';
export { parseClassText, readClassText } from './class-text.js';
export { parseDataYaml, readDataYaml } from './data-yaml.js';
export { readClassList } from './read-class-list.js';
