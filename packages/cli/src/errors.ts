import { KeepaliveParityError } from '@keepalive-parity/core/engine';

export function usageError(message: string): KeepaliveParityError {
  return new KeepaliveParityError('KAP_USAGE', message);
}
