// .proto files are bundled as text (esbuild `text` loader, jest transform) so the executable needs no files beside it.
declare module '*.proto' {
  const source: string;
  export default source;
}
