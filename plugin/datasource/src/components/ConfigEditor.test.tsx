import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { DataSourceSettings } from '@grafana/data';
import type { MicromegasDataSourceOptions, MicromegasSecureJsonData } from '../types';
import { ConfigEditor } from './ConfigEditor';

type Options = DataSourceSettings<MicromegasDataSourceOptions, MicromegasSecureJsonData>;

function setup(overrides: Partial<Options> = {}) {
  const options = {
    id: 1,
    uid: 'mm',
    name: 'Micromegas',
    type: 'micromegas-flightsql-datasource',
    jsonData: { address: 'localhost:50051' },
    secureJsonFields: {},
    secureJsonData: {},
    ...overrides,
  } as Options;
  const onOptionsChange = jest.fn();
  render(<ConfigEditor options={options} onOptionsChange={onOptionsChange} />);
  return { options, onOptionsChange };
}

describe('ConfigEditor', () => {
  test('edits the FlightSQL address', () => {
    const { options, onOptionsChange } = setup();
    const input = screen.getByPlaceholderText('localhost:50051');
    expect(input).toHaveValue('localhost:50051');
    fireEvent.change(input, { target: { value: 'flightsql:50051' } });
    expect(onOptionsChange).toHaveBeenCalledWith({ ...options, jsonData: { address: 'flightsql:50051' } });
  });

  test('toggles TLS and the default time filter', () => {
    const { options, onOptionsChange } = setup();
    const [tls, timeFilter] = screen.getAllByRole('switch');
    expect(tls).not.toBeChecked();
    expect(timeFilter).toBeChecked();
    fireEvent.click(tls!);
    expect(onOptionsChange).toHaveBeenLastCalledWith({ ...options, jsonData: { address: 'localhost:50051', tls: true } });
    fireEvent.click(timeFilter!);
    expect(onOptionsChange).toHaveBeenLastCalledWith({ ...options, jsonData: { address: 'localhost:50051', timeFilterDefault: false } });
  });

  test('stores the API key as secure data and can reset a configured one', () => {
    const { options, onOptionsChange } = setup();
    fireEvent.change(screen.getByPlaceholderText('optional'), { target: { value: 'secret' } });
    expect(onOptionsChange).toHaveBeenCalledWith({ ...options, secureJsonData: { apiKey: 'secret' } });
  });

  test('a configured key shows as configured, and reset clears it', () => {
    const { onOptionsChange } = setup({ secureJsonFields: { apiKey: true } });
    fireEvent.click(screen.getByRole('button', { name: /reset/i }));
    expect(onOptionsChange.mock.calls[0][0].secureJsonFields).toEqual({ apiKey: false });
  });
});
