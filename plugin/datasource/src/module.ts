import { DataSourcePlugin } from '@grafana/data';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import { DataSource } from './datasource';
import type { MicromegasDataSourceOptions, MicromegasQuery } from './types';

export const plugin = new DataSourcePlugin<DataSource, MicromegasQuery, MicromegasDataSourceOptions>(DataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
