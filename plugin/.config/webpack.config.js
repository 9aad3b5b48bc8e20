// One webpack configuration for both plugins, in the shape @grafana/create-plugin generates:
// `webpack -c .config/webpack.config.js --env plugin=<datasource|panel>` builds <plugin>/src/module.ts into
// <plugin>/dist/module.js as an AMD module, with Grafana's shared libraries left external and
// plugin.json / img copied beside it.
const path = require('path');
const CopyWebpackPlugin = require('copy-webpack-plugin');
const pkg = require('../package.json');

// Libraries Grafana provides to plugins at run time.
const EXTERNALS = [
  'react',
  'react-dom',
  'react-router',
  'react-router-dom',
  'rxjs',
  'lodash',
  'moment',
  '@emotion/css',
  '@emotion/react',
  '@grafana/data',
  '@grafana/ui',
  '@grafana/runtime',
  '@grafana/schema',
];

module.exports = (env) => {
  const plugin = env.plugin;
  if (!['datasource', 'panel'].includes(plugin)) {
    throw new Error(`--env plugin=datasource|panel expected, got ${plugin}`);
  }
  const root = path.resolve(__dirname, '..', plugin);
  const production = Boolean(env.production);
  return {
    mode: production ? 'production' : 'development',
    devtool: production ? 'source-map' : 'eval-source-map',
    context: root,
    entry: { module: './src/module.ts' },
    output: {
      path: path.join(root, 'dist'),
      filename: '[name].js',
      library: { type: 'amd' },
      publicPath: `public/plugins/${require(path.join(root, 'src/plugin.json')).id}/`,
      uniqueName: plugin,
      clean: { keep: /^(gpx_|proto\/)/ },
    },
    externals: [
      ...EXTERNALS,
      ({ request }, callback) => (/^@grafana\/[a-z-]+\//.test(request) ? callback(undefined, request) : callback()),
    ],
    resolve: { extensions: ['.ts', '.tsx', '.js', '.jsx'], extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } },
    module: {
      rules: [
        {
          test: /\.[tj]sx?$/,
          exclude: /node_modules/,
          use: {
            loader: 'swc-loader',
            options: {
              jsc: { target: 'es2019', parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'classic' } } },
            },
          },
        },
        { test: /\.svg$/, type: 'asset/resource', generator: { filename: 'img/[name][ext]' } },
      ],
    },
    plugins: [
      new CopyWebpackPlugin({
        patterns: [
          {
            from: 'src/plugin.json',
            to: '.',
            transform: (content) =>
              content.toString().replace('%VERSION%', pkg.version).replace('%TODAY%', new Date().toISOString().slice(0, 10)),
          },
          { from: 'src/img', to: 'img', noErrorOnMissing: true },
          { from: 'README.md', to: '.' },
        ],
      }),
    ],
    performance: { hints: false },
  };
};
