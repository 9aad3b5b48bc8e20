export class FormatError extends Error {
  constructor(
    readonly format: string,
    message: string,
  ) {
    super(`${format} format: ${message}`);
    this.name = 'FormatError';
  }
}
