import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { DataSource } from '../datasource';
import type { MicromegasQuery } from '../types';
import { QueryEditor } from './QueryEditor';

// Monaco does not run under jsdom: stand in a textarea with CodeEditor's value/onBlur contract.
jest.mock('@grafana/ui', () => ({
  ...jest.requireActual('@grafana/ui'),
  CodeEditor: ({ value, onBlur, language }: { value: string; onBlur: (v: string) => void; language: string }) => (
    <textarea aria-label={`${language} editor`} defaultValue={value} onBlur={(e) => onBlur(e.currentTarget.value)} />
  ),
}));

const datasource = { timeFilterDefault: true } as DataSource;

function setup(query: Partial<MicromegasQuery> = {}) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const full: MicromegasQuery = { refId: 'A', rawSql: 'SELECT 1', format: 'table', ...query };
  render(<QueryEditor query={full} onChange={onChange} onRunQuery={onRunQuery} datasource={datasource} />);
  return { onChange, onRunQuery, full };
}

describe('QueryEditor', () => {
  test('edits the SQL in a SQL code editor and runs it on blur', () => {
    const { onChange, onRunQuery, full } = setup();
    const editor = screen.getByLabelText('sql editor');
    expect(editor).toHaveValue('SELECT 1');
    fireEvent.blur(editor, { target: { value: 'SELECT 2' } });
    expect(onChange).toHaveBeenCalledWith({ ...full, rawSql: 'SELECT 2' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  test('offers every format and switches to logs', () => {
    const { onChange, full } = setup();
    for (const label of ['Table', 'Time series', 'Logs', 'Traces', 'Flame graph']) {
      expect(screen.getByLabelText(label)).toBeInTheDocument();
    }
    fireEvent.click(screen.getByLabelText('Logs'));
    expect(onChange).toHaveBeenCalledWith({ ...full, format: 'logs' });
  });

  test('time filter follows the datasource default until the query sets it', () => {
    const { onChange, full } = setup();
    const toggle = screen.getByRole('switch', { name: 'Time filter' });
    expect(toggle).toBeChecked();
    fireEvent.click(toggle);
    expect(onChange).toHaveBeenCalledWith({ ...full, timeFilter: false });
  });

  test('auto limit switch', () => {
    const { onChange, full } = setup({ autoLimit: false });
    const toggle = screen.getByRole('switch', { name: 'Auto limit' });
    expect(toggle).not.toBeChecked();
    fireEvent.click(toggle);
    expect(onChange).toHaveBeenCalledWith({ ...full, autoLimit: true });
  });

  test('builder mode writes the SQL from view set, instance, columns and filter', () => {
    const { onChange, full } = setup();
    fireEvent.click(screen.getByLabelText('Builder'));
    const switched = onChange.mock.calls.at(-1)![0];
    expect(switched).toMatchObject({ editorMode: 'builder', builder: { viewSet: 'log_entries' } });
    expect(switched.rawSql).toBe(
      'SELECT time, level, target, msg\nFROM log_entries\nWHERE $__timeFilter(time)\nORDER BY time DESC\nLIMIT 100',
    );
    expect(full.rawSql).toBe('SELECT 1');
  });

  test('builder: a set without a global instance asks for its id, then uses view_instance', () => {
    const { onChange } = setup({ editorMode: 'builder', builder: { viewSet: 'thread_spans' } });
    expect(screen.getByRole('alert')).toHaveTextContent('thread_spans has no global instance: give a stream_id');
    fireEvent.change(screen.getByLabelText('Instance'), { target: { value: 'stream-1' } });
    expect(onChange.mock.calls.at(-1)![0].rawSql).toContain("FROM view_instance('thread_spans', 'stream-1')");
  });

  test('builder: the generated SQL is shown', () => {
    setup({ editorMode: 'builder', builder: { viewSet: 'measures', filter: "name = 'cpu'" }, rawSql: 'SELECT * FROM measures' });
    expect(screen.getByLabelText('Generated SQL')).toHaveTextContent('SELECT * FROM measures');
    fireEvent.change(screen.getByLabelText('Filter'), { target: { value: 'value > 1' } });
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
