import { KeepaliveParityError } from '@keepalive-parity/core/engine';

/**
 * Turns an AWS SDK error into one clear line: no credentials, no region, access denied (naming the
 * IAM action to grant), throttled (after the SDK's own retries), unknown load balancer. Never
 * includes credentials, signatures or request headers.
 */
export function awsError(error: unknown, action: string, what: string, field: string): KeepaliveParityError {
  const e = error as {
    name?: string;
    message?: string;
    Code?: string;
    $metadata?: { httpStatusCode?: number; attempts?: number };
  };
  const name = e?.name ?? '';
  const code = e?.Code ?? name;
  const message = String(e?.message ?? error);
  const status = e?.$metadata?.httpStatusCode;
  const attempts = e?.$metadata?.attempts;
  const fail = (text: string) =>
    new KeepaliveParityError('KAP_SOURCE_UNAVAILABLE', `${field}: ${text}`, { field });
  if (
    name === 'CredentialsProviderError' ||
    (/Could not load credentials|credential/i.test(message) && !status)
  ) {
    return fail(
      `no AWS credentials found for ${what}: set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), log in with \`aws sso login\`, or run where an instance/task role is available`,
    );
  }
  if (/Region is missing/i.test(message)) {
    return fail(`no AWS region for ${what}: set AWS_REGION (or a region in your AWS profile)`);
  }
  if (/LoadBalancerNotFound/.test(code) || /AccessPointNotFound/.test(code)) {
    return fail(`${what}: no such load balancer (${message})`);
  }
  if (/AccessDenied|UnauthorizedOperation|NotAuthorized/i.test(code) || status === 403) {
    return fail(
      `access denied for ${what}: the caller needs the read-only IAM action ${action} (AWS said: ${message.replace(/\s+/g, ' ').slice(0, 300)})`,
    );
  }
  if (/Throttl|RequestLimitExceeded|TooManyRequests|Rate exceeded/i.test(`${code} ${message}`)) {
    return fail(
      `${what}: throttled by AWS${attempts ? ` after ${attempts} attempts` : ''}; try again later (${message})`,
    );
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|socket hang up/i.test(`${name} ${message}`)) {
    return fail(`${what}: cannot reach the AWS API (${message})`);
  }
  return fail(`${what}: ${action} failed: ${name ? `${name}: ` : ''}${message}`);
}
