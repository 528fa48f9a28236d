// Maps the error catalogue to HTTP status codes: 4xx for everything the caller can fix.
import type { ErrorCodeName } from '@vact/shared';

const STATUS: Partial<Record<ErrorCodeName, number>> = {
  INVALID_REQUEST: 400, INVALID_KEY: 400, INVALID_DURATION: 400, UNKNOWN_EDITION: 400, UNKNOWN_GROUP: 400,
  INVALID_INSTALLATION_ID: 400, INVALID_CONFIRMATION_ID: 400,
  UNAUTHORIZED: 401,
  KEY_NOT_GENUINE: 403, KEY_REVOKED: 403, NEEDS_ADMIN: 403,
  NOT_FOUND: 404,
  MAK_LIMIT_REACHED: 409, KMS_HOST_KEY_HOST_LIMIT: 409, KMS_HOST_KEY_REACTIVATION_LIMIT: 409, SIM_CLOCK_ONLY: 409, ALREADY_EXISTS: 409,
  PAYLOAD_TOO_LARGE: 413,
  KEY_WRONG_TYPE: 422, PRODUCT_NOT_COVERED_BY_KEY: 422, HOST_KEY_NOT_ALLOWED_ON_EDITION: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNREACHABLE: 503,
};

/** The HTTP status an error code is answered with. */
export function httpStatusOf(code: ErrorCodeName): number {
  return STATUS[code] ?? 400;
}
