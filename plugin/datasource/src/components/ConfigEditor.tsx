import React, { type ChangeEvent } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, InlineSwitch, Input, SecretInput } from '@grafana/ui';
import type { MicromegasDataSourceOptions, MicromegasSecureJsonData } from '../types';

type Props = DataSourcePluginOptionsEditorProps<MicromegasDataSourceOptions, MicromegasSecureJsonData>;

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields, secureJsonData } = options;
  const setJsonData = (patch: Partial<MicromegasDataSourceOptions>) => onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });

  return (
    <>
      <FieldSet label="FlightSQL connection">
        <Field label="Address" description="host:port of the Micromegas FlightSQL service" required>
          <Input
            id="micromegas-address"
            width={40}
            placeholder="localhost:50051"
            value={jsonData.address ?? ''}
            onChange={(e: ChangeEvent<HTMLInputElement>) => setJsonData({ address: e.target.value })}
          />
        </Field>
        <Field label="TLS" description="Connect with TLS (system trust store)">
          <InlineSwitch id="micromegas-tls" value={jsonData.tls ?? false} onChange={(e) => setJsonData({ tls: e.currentTarget.checked })} />
        </Field>
        <Field label="API key" description="Sent as a bearer token on every call">
          <SecretInput
            id="micromegas-api-key"
            width={40}
            isConfigured={Boolean(secureJsonFields?.apiKey)}
            value={secureJsonData?.apiKey ?? ''}
            placeholder="optional"
            onChange={(e: ChangeEvent<HTMLInputElement>) =>
              onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, apiKey: e.target.value } })
            }
            onReset={() =>
              onOptionsChange({
                ...options,
                secureJsonFields: { ...secureJsonFields, apiKey: false },
                secureJsonData: { ...secureJsonData, apiKey: '' },
              })
            }
          />
        </Field>
      </FieldSet>
      <FieldSet label="Query defaults">
        <Field label="Time filter" description="New queries send the dashboard time range to the lake (partition pruning)">
          <InlineSwitch
            id="micromegas-time-filter-default"
            value={jsonData.timeFilterDefault ?? true}
            onChange={(e) => setJsonData({ timeFilterDefault: e.currentTarget.checked })}
          />
        </Field>
      </FieldSet>
    </>
  );
}
