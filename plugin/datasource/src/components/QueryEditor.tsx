import React, { useCallback } from 'react';
import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import { CodeEditor, InlineField, InlineFieldRow, InlineSwitch, RadioButtonGroup } from '@grafana/ui';
import type { DataSource } from '../datasource';
import { DEFAULT_QUERY, type Format, type MicromegasDataSourceOptions, type MicromegasQuery } from '../types';

type Props = QueryEditorProps<DataSource, MicromegasQuery, MicromegasDataSourceOptions>;

export const FORMAT_OPTIONS: Array<SelectableValue<Format>> = [
  { label: 'Table', value: 'table' },
  { label: 'Time series', value: 'time_series' },
  { label: 'Logs', value: 'logs' },
  { label: 'Traces', value: 'traces' },
  { label: 'Flame graph', value: 'flame_graph' },
];

export function QueryEditor({ query, onChange, onRunQuery, datasource }: Props) {
  const timeFilter = query.timeFilter ?? datasource.timeFilterDefault;
  const update = useCallback(
    (patch: Partial<MicromegasQuery>, run = true) => {
      onChange({ ...query, ...patch });
      if (run) {
        onRunQuery();
      }
    },
    [query, onChange, onRunQuery],
  );

  return (
    <div data-testid="micromegas-query-editor">
      <CodeEditor
        language="sql"
        height={160}
        value={query.rawSql ?? DEFAULT_QUERY.rawSql ?? ''}
        showLineNumbers
        showMiniMap={false}
        onBlur={(rawSql) => rawSql !== query.rawSql && update({ rawSql })}
        onSave={(rawSql) => update({ rawSql })}
      />
      <InlineFieldRow>
        <InlineField label="Format" labelWidth={10}>
          <RadioButtonGroup<Format>
            options={FORMAT_OPTIONS}
            value={query.format ?? 'table'}
            onChange={(format) => update({ format })}
            size="sm"
          />
        </InlineField>
        <InlineField label="Time filter" tooltip="Send the dashboard time range as query_range_begin/end">
          <InlineSwitch
            label="Time filter"
            aria-label="Time filter"
            value={timeFilter}
            onChange={(e) => update({ timeFilter: e.currentTarget.checked })}
          />
        </InlineField>
        <InlineField label="Auto limit" tooltip="Limit rows to the panel's max data points when the SQL has no LIMIT">
          <InlineSwitch
            label="Auto limit"
            aria-label="Auto limit"
            value={query.autoLimit ?? false}
            onChange={(e) => update({ autoLimit: e.currentTarget.checked })}
          />
        </InlineField>
      </InlineFieldRow>
    </div>
  );
}
