// Frontend half of the datasource: queries go to the backend component (QueryData) after dashboard
// variables are interpolated; variables and annotations reuse the same SQL path.
import {
  type DataFrame,
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
} from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { DEFAULT_QUERY, type MicromegasDataSourceOptions, type MicromegasQuery, type MicromegasVariableQuery } from './types';
import { interpolateVariables } from './variables';

export class DataSource extends DataSourceWithBackend<MicromegasQuery, MicromegasDataSourceOptions> {
  readonly timeFilterDefault: boolean;

  constructor(instanceSettings: DataSourceInstanceSettings<MicromegasDataSourceOptions>) {
    super(instanceSettings);
    this.timeFilterDefault = instanceSettings.jsonData.timeFilterDefault ?? true;
    // Annotation queries use the regular query editor; rows with a time column become annotations.
    this.annotations = {};
  }

  override getDefaultQuery(): Partial<MicromegasQuery> {
    return { ...DEFAULT_QUERY, timeFilter: this.timeFilterDefault };
  }

  override filterQuery(query: MicromegasQuery): boolean {
    return !query.hide && Boolean(query.rawSql?.trim());
  }

  override applyTemplateVariables(query: MicromegasQuery, scopedVars: ScopedVars): MicromegasQuery {
    return { ...query, rawSql: interpolateVariables(query.rawSql, (sql, format) => getTemplateSrv().replace(sql, scopedVars, format)) };
  }

  /**
   * Dashboard variables: the first column of the result gives the values (a second one, if any, the
   * texts). Scenes passes the dashboard's range: the macros and the time filter use it.
   */
  override async metricFindQuery(
    query: MicromegasVariableQuery | string,
    options?: { range?: DataQueryRequest['range']; scopedVars?: ScopedVars },
  ): Promise<MetricFindValue[]> {
    const model = typeof query === 'string' ? { rawSql: query } : query;
    const request = {
      targets: [
        {
          refId: 'variable',
          rawSql: model.rawSql,
          format: 'table',
          timeFilter: model.timeFilter ?? this.timeFilterDefault,
        } as MicromegasQuery,
      ],
      range: options?.range,
      scopedVars: options?.scopedVars ?? {},
    } as DataQueryRequest<MicromegasQuery>;
    const response = await lastValueFrom(this.query(request));
    return (response.data as DataFrame[]).flatMap(frameToOptions);
  }
}

export function frameToOptions(frame: DataFrame): MetricFindValue[] {
  const [valueField, textField] = frame.fields;
  if (!valueField) {
    return [];
  }
  return Array.from({ length: frame.length }, (_, i) => {
    const value = valueField.values[i];
    const text = textField ? textField.values[i] : value;
    return { text: String(text), value: typeof value === 'number' ? value : String(value) };
  });
}
