import { KeepaliveParityError } from '@keepalive-parity/core';

export function usageError(message: string): KeepaliveParityError {
  return new KeepaliveParityError('KAP_USAGE', message);
}
