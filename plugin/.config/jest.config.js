// Jest for both plugins: editors and panel under jsdom, the backend component under node
// (its test files say `@jest-environment node`). TypeScript is compiled by SWC.
const path = require('path');

// Packages that ship ES modules only (d3-*, ol, …) must be transformed too.
const esmOnly = [
  '@ver0/deep-equal',
  '@react-hookz',
  'd3',
  'd3-[a-z-]+',
  'internmap',
  'delaunator',
  'robust-predicates',
  'ol',
  'marked',
  'uuid',
  'react-calendar',
  '@wojtekmaj',
  'get-user-locale',
  'memoize',
  'mimic-function',
  'lodash-es',
  'rbush',
  'quickselect',
  'color-[a-z-]+',
  'screenfull',
];

module.exports = {
  rootDir: path.resolve(__dirname, '..'),
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/{datasource,panel,tests}/**/*.test.{ts,tsx}'],
  setupFilesAfterEnv: ['<rootDir>/.config/jest/setup.js'],
  moduleNameMapper: {
    '\\.(css|scss|sass)$': '<rootDir>/.config/jest/mock-style.js',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { transform: { react: { runtime: 'classic' } } } }],
    '^.+\\.mjs$': ['@swc/jest', { module: { type: 'commonjs' } }],
    '^.+\\.proto$': '<rootDir>/.config/jest/proto-transform.js',
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'jsx', 'json', 'proto'],
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  testTimeout: 30000,
};
