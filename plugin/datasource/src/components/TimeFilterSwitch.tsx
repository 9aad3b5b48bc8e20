import React from 'react';
import { InlineField, InlineSwitch } from '@grafana/ui';

/** The per-query switch (panels and variables alike) that sends the dashboard's range to the lake. */
export function TimeFilterSwitch({ value, onChange }: { value: boolean; onChange: (value: boolean) => void }) {
  return (
    <InlineField label="Time filter" tooltip="Send the dashboard time range as query_range_begin/end: partitions outside it are not read">
      <InlineSwitch label="Time filter" aria-label="Time filter" value={value} onChange={(e) => onChange(e.currentTarget.checked)} />
    </InlineField>
  );
}
