export * from './keys.js';
export * from './load.js';
export * from './size.js';
