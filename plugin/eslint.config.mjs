// Grafana's ESLint rules (as @grafana/create-plugin sets them up) for both plugins, the backend
// component and the tests.
import grafanaConfig from '@grafana/eslint-config';

export default [
  { ignores: ['**/dist/**', '.build/**', 'test-output/**', 'node_modules/**', '**/*.d.ts'] },
  ...grafanaConfig,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      'react/prop-types': 'off',
    },
  },
];
