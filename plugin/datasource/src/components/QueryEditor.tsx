import React, { useCallback } from 'react';
import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import { CodeEditor, InlineField, InlineFieldRow, InlineSwitch, RadioButtonGroup } from '@grafana/ui';
import { BuilderError, builderSql, type BuilderModel } from '../builder/sql';
import type { DataSource } from '../datasource';
import { QueryBuilder } from './QueryBuilder';
import { TimeFilterSwitch } from './TimeFilterSwitch';
import { DEFAULT_QUERY, type Format, type MicromegasDataSourceOptions, type MicromegasQuery } from '../types';

type Props = QueryEditorProps<DataSource, MicromegasQuery, MicromegasDataSourceOptions>;

export const FORMAT_OPTIONS: Array<SelectableValue<Format>> = [
  { label: 'Table', value: 'table' },
  { label: 'Time series', value: 'time_series' },
  { label: 'Logs', value: 'logs' },
  { label: 'Traces', value: 'traces' },
  { label: 'Flame graph', value: 'flame_graph' },
];

const MODE_OPTIONS: Array<SelectableValue<'code' | 'builder'>> = [
  { label: 'Code', value: 'code' },
  { label: 'Builder', value: 'builder' },
];

const DEFAULT_BUILDER: BuilderModel = { viewSet: 'log_entries', columns: ['time', 'level', 'target', 'msg'], limit: 100 };

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

  const mode = query.editorMode ?? 'code';
  const builder = query.builder ?? DEFAULT_BUILDER;
  let builderProblem: string | undefined;
  // Builder edits rewrite rawSql (the only thing the backend reads); an incomplete model keeps the last SQL.
  const onBuilderChange = (model: BuilderModel, patch: Partial<MicromegasQuery> = {}) => {
    try {
      update({ ...patch, builder: model, rawSql: builderSql(model) }, false);
    } catch (e) {
      if (!(e instanceof BuilderError)) {
        throw e;
      }
      update({ ...patch, builder: model }, false);
    }
  };
  try {
    if (mode === 'builder') {
      builderSql(builder);
    }
  } catch (e) {
    builderProblem = (e as Error).message;
  }

  return (
    <div data-testid="micromegas-query-editor">
      <RadioButtonGroup<'code' | 'builder'>
        options={MODE_OPTIONS}
        value={mode}
        size="sm"
        onChange={(editorMode) => (editorMode === 'builder' ? onBuilderChange(builder, { editorMode }) : update({ editorMode }, false))}
      />
      {mode === 'code' ? (
        <CodeEditor
          language="sql"
          height={160}
          value={query.rawSql ?? DEFAULT_QUERY.rawSql ?? ''}
          showLineNumbers
          showMiniMap={false}
          onBlur={(rawSql) => rawSql !== query.rawSql && update({ rawSql })}
          onSave={(rawSql) => update({ rawSql })}
        />
      ) : (
        <>
          <QueryBuilder model={builder} onChange={(model) => onBuilderChange(model)} />
          {builderProblem ? <div role="alert">{builderProblem}</div> : <pre aria-label="Generated SQL">{query.rawSql}</pre>}
        </>
      )}
      <InlineFieldRow>
        <InlineField label="Format" labelWidth={10}>
          <RadioButtonGroup<Format>
            options={FORMAT_OPTIONS}
            value={query.format ?? 'table'}
            onChange={(format) => update({ format })}
            size="sm"
          />
        </InlineField>
        <TimeFilterSwitch value={timeFilter} onChange={(value) => update({ timeFilter: value })} />
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
