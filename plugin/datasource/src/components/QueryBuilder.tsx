import React from 'react';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup } from '@grafana/ui';
import { VIEW_SETS, type BuilderModel } from '../builder/sql';

interface Props {
  model: BuilderModel;
  onChange: (model: BuilderModel) => void;
}

const VIEW_SET_OPTIONS = VIEW_SETS.map((v) => ({ label: v.name, value: v.name }));

/** View set, instance, columns, filter and limit; the SQL it stands for is shown below it. */
export function QueryBuilder({ model, onChange }: Props) {
  const set = VIEW_SETS.find((v) => v.name === model.viewSet);
  return (
    <div data-testid="micromegas-query-builder">
      <InlineFieldRow>
        <InlineField label="View set" labelWidth={14}>
          <RadioButtonGroup
            options={VIEW_SET_OPTIONS}
            value={model.viewSet}
            onChange={(viewSet) => onChange({ ...model, viewSet })}
            size="sm"
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField
          label="Instance"
          labelWidth={14}
          tooltip={set?.instance ? `a ${set.instance}; empty for the global view` : 'global only'}
        >
          <Input
            aria-label="Instance"
            width={40}
            disabled={!set?.instance}
            placeholder={set?.global ? 'global' : set?.instance}
            value={model.instance ?? ''}
            onChange={(e) => onChange({ ...model, instance: e.currentTarget.value })}
          />
        </InlineField>
        <InlineField label="Limit" labelWidth={8}>
          <Input
            aria-label="Limit"
            type="number"
            width={12}
            value={model.limit ?? ''}
            onChange={(e) => onChange({ ...model, limit: Number(e.currentTarget.value) || undefined })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Columns" labelWidth={14} grow tooltip="comma-separated; empty selects all">
          <Input
            aria-label="Columns"
            placeholder="*"
            value={(model.columns ?? []).join(', ')}
            onChange={(e) => onChange({ ...model, columns: e.currentTarget.value.split(',').map((c) => c.trim()) })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Filter" labelWidth={14} grow tooltip="SQL condition, ANDed with the time filter">
          <Input
            aria-label="Filter"
            placeholder="level <= 2"
            value={model.filter ?? ''}
            onChange={(e) => onChange({ ...model, filter: e.currentTarget.value })}
          />
        </InlineField>
      </InlineFieldRow>
    </div>
  );
}
