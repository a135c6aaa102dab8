/** The lab could not be set up: a proxy or the backend missing, failing to start or to calibrate. */
export class LabSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabSetupError';
  }
}
