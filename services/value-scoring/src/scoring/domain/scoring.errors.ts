/** A customer summary or parameter set the models cannot be evaluated on; the message names the field. */
export class InvalidModelInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidModelInputError';
  }
}
