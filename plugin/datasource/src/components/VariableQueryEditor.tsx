// Query variables: SQL whose first column gives the values (a second one the texts), and the same
// Time filter switch as panel queries, so a variable lists what exists in the dashboard's range
// (micromegas' own plugin lacks it: its issue 579).
import React from 'react';
import { CodeEditor } from '@grafana/ui';
import type { DataSource } from '../datasource';
import type { MicromegasVariableQuery } from '../types';
import { TimeFilterSwitch } from './TimeFilterSwitch';

interface Props {
  /** Older dashboards (and provisioned ones) store the SQL alone. */
  query: MicromegasVariableQuery | string;
  onChange: (query: MicromegasVariableQuery, definition: string) => void;
  datasource: DataSource;
}

export function VariableQueryEditor({ query, onChange, datasource }: Props) {
  const model: MicromegasVariableQuery = typeof query === 'string' ? { rawSql: query } : query;
  const timeFilter = model.timeFilter ?? datasource.timeFilterDefault;
  const update = (patch: Partial<MicromegasVariableQuery>) => {
    const next = { ...model, ...patch };
    onChange(next, next.rawSql);
  };
  return (
    <div data-testid="micromegas-variable-editor">
      <CodeEditor
        language="sql"
        height={100}
        value={model.rawSql}
        showLineNumbers={false}
        showMiniMap={false}
        onBlur={(rawSql) => rawSql !== model.rawSql && update({ rawSql })}
      />
      <TimeFilterSwitch value={timeFilter} onChange={(value) => update({ timeFilter: value })} />
    </div>
  );
}
