/** @jest-environment node */
// docker-compose.yml, checked without a Docker engine: every image pinned (no `latest`, nothing from
// the Docker Hub repositories MinIO stopped publishing), linux/amd64 wherever our native modules or
// the plugin executable run, and the services' settings consistent with each other and with the
// names our code reads (the backend's own loadConfig parses the backend's environment).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../backend/src/config';
import { PROVISIONING, REPO } from './provisioning';

interface Service {
  image?: string;
  platform?: string;
  command?: string | string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
}

const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
/** Compose's interpolation with nothing set in the shell: `${VAR:-default}` is the default, `${VAR}` empty. */
const interpolate = (value: string) =>
  value.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_m, _name, fallback: string | undefined) => fallback ?? '');
const services = Object.fromEntries(
  Object.entries(compose.services).map(([name, s]) => [
    name,
    { ...s, environment: s.environment && Object.fromEntries(Object.entries(s.environment).map(([k, v]) => [k, interpolate(String(v))])) },
  ]),
);
const service = (name: string) => {
  const s = services[name];
  if (!s) {
    throw new Error(`docker-compose.yml has no service "${name}" (has ${Object.keys(services).join(', ')})`);
  }
  return s;
};
const DATASOURCE_ID = JSON.parse(readFileSync(join(REPO, 'plugin/datasource/src/plugin.json'), 'utf8')).id;
const PANEL_ID = JSON.parse(readFileSync(join(REPO, 'plugin/panel/src/plugin.json'), 'utf8')).id;
/** The services that run our build: Node native modules installed for linux/amd64, or the datasource executable. */
const OUR_CODE = ['build', 'backend', 'demo', 'grafana'];

/** `${A}` and `'A'`-quoted MICROMEGAS_ names that a file reads. */
function namesReadBy(path: string): Set<string> {
  const text = readFileSync(join(REPO, path), 'utf8');
  return new Set([...text.matchAll(/['"$({]+(MICROMEGAS_[A-Z0-9_]+)/g)].map((m) => m[1]!));
}

const dependsOn = (s: Service) =>
  Array.isArray(s.depends_on)
    ? Object.fromEntries(s.depends_on.map((d) => [d, 'service_started']))
    : Object.fromEntries(Object.entries(s.depends_on ?? {}).map(([k, v]) => [k, v.condition]));

test('every image is pinned to a version, none is latest, none comes from the repositories MinIO removed', () => {
  for (const [name, s] of Object.entries(services)) {
    expect({ name, image: s.image }).toEqual({ name, image: expect.stringMatching(/^[\w./-]+:[\w.-]+$/) });
    const tag = s.image!.slice(s.image!.lastIndexOf(':') + 1);
    expect({ name, tag }).not.toEqual({ name, tag: expect.stringMatching(/^(latest|stable|main|edge)$/) });
    expect({ name, image: s.image }).not.toEqual({ name, image: expect.stringMatching(/^(docker\.io\/)?minio\//) });
  }
});

test('linux/amd64 where our native modules and the plugin executable run', () => {
  expect(Object.fromEntries(OUR_CODE.map((n) => [n, service(n).platform]))).toEqual(
    Object.fromEntries(OUR_CODE.map((n) => [n, 'linux/amd64'])),
  );
  // Grafana's Ubuntu image: the executable is linked against glibc.
  expect(service('grafana').image).toMatch(/^grafana\/grafana:[\d.]+-ubuntu$/);
});

test("the backend's environment is one its own loadConfig accepts, pointing at the compose services", () => {
  const env = service('backend').environment!;
  const config = loadConfig(env);
  expect(config.lake.objectStoreUri).toMatch(/^s3:\/\//);
  const connection = new URL((config.lake.metadata as { connectionString: string }).connectionString);
  expect([connection.hostname, connection.port, connection.pathname, connection.password]).toEqual([
    'postgres',
    '5432',
    `/${service('postgres').environment!.POSTGRES_DB}`,
    service('postgres').environment!.POSTGRES_PASSWORD,
  ]);
  const endpoint = new URL(config.lake.s3.endpoint!);
  const s3 = service('s3').environment!;
  expect([endpoint.hostname, `:${endpoint.port}`]).toEqual(['s3', s3.VGW_PORT]);
  expect(config.lake.s3.forcePathStyle).toBe(true);
  // The SDK's credentials are the S3 server's root account, in its region.
  expect([env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, env.AWS_REGION]).toEqual([
    s3.ROOT_ACCESS_KEY,
    s3.ROOT_SECRET_KEY,
    s3.VGW_REGION,
  ]);
  // Reachable from the other containers (ingestion and FlightSQL on all interfaces), which keys make possible.
  expect([config.ingestion.host, config.flightsql.host]).toEqual(['0.0.0.0', '0.0.0.0']);
  expect(env.MICROMEGAS_ADMIN_KEY).toMatch(/^mmk_/);
  expect(service('backend').volumes).toEqual(service('build').volumes);
});

test("the bucket the setup creates is the lake's, with the same credentials and endpoint", () => {
  const bucket = new URL(service('backend').environment!.MICROMEGAS_OBJECT_STORE_URI!).hostname;
  const setup = service('s3-bucket');
  const script = [setup.command].flat().join(' ');
  expect(script).toContain(`create-bucket --bucket ${bucket}`);
  expect(script).toContain(`--endpoint-url ${service('backend').environment!.MICROMEGAS_S3_ENDPOINT}`);
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = service('backend').environment!;
  expect(setup.environment).toMatchObject({ AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY });
});

test('every MICROMEGAS_ variable a service sets is one our code or provisioning reads, and Grafana gets all the provisioning needs', () => {
  const read = new Set([
    ...namesReadBy('backend/src/config.ts'),
    ...namesReadBy('tracing-sdk/src/options.ts'),
    ...namesReadBy('provisioning/datasources/micromegas.yaml'),
  ]);
  for (const [name, s] of Object.entries(services)) {
    const unknown = Object.keys(s.environment ?? {}).filter((k) => k.startsWith('MICROMEGAS_') && !read.has(k));
    expect({ name, unknown }).toEqual({ name, unknown: [] });
  }
  const needed = [...readFileSync(join(PROVISIONING, 'datasources/micromegas.yaml'), 'utf8').matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!);
  expect(needed.filter((v) => !(v in service('grafana').environment!))).toEqual([]);
  // Grafana reaches FlightSQL at the backend service, on the port the backend listens on.
  const flightsql = loadConfig(service('backend').environment!).flightsql;
  expect(service('grafana').environment!.MICROMEGAS_FLIGHTSQL_ADDRESS).toBe(`backend:${flightsql.port}`);
  expect(service('backend').environment!.MICROMEGAS_INGESTION_HOST).toBeDefined();
  expect(service('demo').environment!.MICROMEGAS_TELEMETRY_URL).toBe(
    `http://backend:${loadConfig(service('backend').environment!).ingestion.port}`,
  );
});

test('services start in order: the build and the bucket before the backend, the build before Grafana', () => {
  expect(dependsOn(service('backend'))).toEqual({
    build: 'service_completed_successfully',
    postgres: 'service_healthy',
    's3-bucket': 'service_completed_successfully',
  });
  expect(dependsOn(service('grafana'))).toMatchObject({ build: 'service_completed_successfully' });
  expect([service('build').command].flat().join(' ')).toMatch(/npm install .*&& npm run build$/);
});

test('Grafana mounts both built plugins and the provisioning, and allows the plugins unsigned', () => {
  const grafana = service('grafana');
  expect(grafana.volumes).toEqual(
    expect.arrayContaining([
      `./plugin/datasource/dist:/var/lib/grafana/plugins/${DATASOURCE_ID}:ro`,
      `./plugin/panel/dist:/var/lib/grafana/plugins/${PANEL_ID}:ro`,
      './provisioning:/etc/grafana/provisioning:ro',
    ]),
  );
  expect(grafana.environment!.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS!.split(',')).toEqual([DATASOURCE_ID, PANEL_ID]);
});
