import type { ErrorCode } from "./errors.ts";

/** The one table from error code to HTTP status. */
export const HTTP_STATUS = {
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  ROUTE_NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  AREA_FORBIDDEN: 403,
  INVALID_CREDENTIALS: 401,
  ACCOUNT_DISABLED: 403,
  ACCOUNT_LOCKED: 423,
  WEAK_STAFF_PASSWORD: 400,
  INVALID_ID_NUMBER: 400,
  PERSON_EXISTS: 409,
  PERSON_NOT_FOUND: 404,
  INVALID_REGION_CODE: 400,
  AREA_EXISTS: 409,
  AREA_NOT_FOUND: 404,
  ISSUER_ID_TAKEN: 409,
  INVALID_PARENT_AREA: 400,
  POLICY_NOT_FOUND: 404,
  POLICY_INVALID: 400,
  POLICY_EFFECTIVE_DATE_IN_PAST: 400,
  OUTLET_NOT_FOUND: 404,
  STAFF_EXISTS: 409,
  STAFF_NOT_FOUND: 404,
  ROLE_OUT_OF_SCOPE: 403,
  API_KEY_NOT_FOUND: 404,
  CONCURRENT_MODIFICATION: 409,
  AUDIT_CHAIN_BROKEN: 500,
  DATABASE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const satisfies Record<ErrorCode, number>;

/** CLI exit codes by class of error: 2 bad input, 3 not found or conflict, 4 refused, 1 anything else. */
export function exitCodeFor(code: ErrorCode): number {
  const status = HTTP_STATUS[code];
  if (status === 400 || status === 413 || status === 415) return 2;
  if (status === 404 || status === 409) return 3;
  if (status === 401 || status === 403 || status === 423) return 4;
  return 1;
}
