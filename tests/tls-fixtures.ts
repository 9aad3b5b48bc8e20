/** A self-signed certificate for localhost and 127.0.0.1, made in the test (nothing read from outside). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

export interface TestCertificate {
  cert: Buffer;
  key: Buffer;
  /** The same pair as files, for MICROMEGAS_TLS_CERT_FILE / MICROMEGAS_TLS_KEY_FILE. */
  certFile: string;
  keyFile: string;
  remove(): Promise<void>;
}

export async function selfSignedCertificate(): Promise<TestCertificate> {
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  });
  const dir = await mkdtemp(join(tmpdir(), 'mm-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  await writeFile(certFile, pems.cert);
  await writeFile(keyFile, pems.private);
  return {
    cert: Buffer.from(pems.cert), key: Buffer.from(pems.private), certFile, keyFile,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
