import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { DataSource } from '../datasource';
import { VariableQueryEditor } from './VariableQueryEditor';

// Monaco does not run under jsdom: stand in a textarea with CodeEditor's value/onBlur contract.
jest.mock('@grafana/ui', () => ({
  ...jest.requireActual('@grafana/ui'),
  CodeEditor: ({ value, onBlur, language }: { value: string; onBlur: (v: string) => void; language: string }) => (
    <textarea aria-label={`${language} editor`} defaultValue={value} onBlur={(e) => onBlur(e.currentTarget.value)} />
  ),
}));

describe('VariableQueryEditor', () => {
  test('reads a provisioned string query; the Time filter follows the datasource default until set', () => {
    const onChange = jest.fn();
    render(
      <VariableQueryEditor
        query="SELECT DISTINCT exe FROM blocks"
        onChange={onChange}
        datasource={{ timeFilterDefault: true } as DataSource}
      />,
    );
    expect(screen.getByLabelText('sql editor')).toHaveValue('SELECT DISTINCT exe FROM blocks');
    const timeFilter = screen.getByRole('switch', { name: 'Time filter' });
    expect(timeFilter).toBeChecked();
    fireEvent.click(timeFilter);
    expect(onChange).toHaveBeenCalledWith(
      { rawSql: 'SELECT DISTINCT exe FROM blocks', timeFilter: false },
      'SELECT DISTINCT exe FROM blocks',
    );
  });

  test('edits the SQL, keeping the switch', () => {
    const onChange = jest.fn();
    render(
      <VariableQueryEditor
        query={{ rawSql: 'SELECT 1', timeFilter: false }}
        onChange={onChange}
        datasource={{ timeFilterDefault: true } as DataSource}
      />,
    );
    expect(screen.getByRole('switch', { name: 'Time filter' })).not.toBeChecked();
    fireEvent.blur(screen.getByLabelText('sql editor'), { target: { value: 'SELECT 2' } });
    expect(onChange).toHaveBeenCalledWith({ rawSql: 'SELECT 2', timeFilter: false }, 'SELECT 2');
  });
});
