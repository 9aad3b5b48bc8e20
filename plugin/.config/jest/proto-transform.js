// Jest counterpart of the bundler's text loader: a .proto import yields the file's text.
module.exports = {
  process(source) {
    return { code: `module.exports = { __esModule: true, default: ${JSON.stringify(source)} };` };
  },
};
