import path from 'node:path';
import { ImportError } from '../import/errors.js';
import { readClassCsv } from './class-csv.js';
import { readClassJson } from './class-json.js';
import type { ClassList } from './class-list.js';
import { readClassText } from './class-text.js';
import { readDataYaml } from './data-yaml.js';

const READERS: Record<string, (file: string) => Promise<ClassList>> = {
  '.csv': readClassCsv,
  '.json': readClassJson,
  '.txt': readClassText,
  '.names': readClassText,
  '.yaml': readDataYaml,
  '.yml': readDataYaml,
};

/** Any class list the project reads, chosen by extension: .csv, .json, .txt/.names, .yaml/.yml. */
export function readClassList(file: string): Promise<ClassList> {
  const reader = READERS[path.extname(file).toLowerCase()];
  if (!reader) {
    return Promise.reject(
      new ImportError(
        { file },
        `a class list ending in ${Object.keys(READERS).join(', ')}`,
        JSON.stringify(path.extname(file)),
      ),
    );
  }
  return reader(file);
}
