/** The closed set of error codes sscard answers with; each has a status (http-errors.ts) and messages (messages.ts). */
export const ERROR_CODES = [
  "VALIDATION_FAILED",
  "MALFORMED_JSON",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "ROUTE_NOT_FOUND",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "AREA_FORBIDDEN",
  "INVALID_CREDENTIALS",
  "ACCOUNT_DISABLED",
  "ACCOUNT_LOCKED",
  "WEAK_STAFF_PASSWORD",
  "INVALID_ID_NUMBER",
  "PERSON_EXISTS",
  "PERSON_NOT_FOUND",
  "INVALID_REGION_CODE",
  "AREA_EXISTS",
  "AREA_NOT_FOUND",
  "ISSUER_ID_TAKEN",
  "INVALID_PARENT_AREA",
  "POLICY_NOT_FOUND",
  "POLICY_INVALID",
  "POLICY_EFFECTIVE_DATE_IN_PAST",
  "OUTLET_NOT_FOUND",
  "STAFF_EXISTS",
  "STAFF_NOT_FOUND",
  "ROLE_OUT_OF_SCOPE",
  "API_KEY_NOT_FOUND",
  "CARD_NOT_FOUND",
  "INVALID_CARD_NUMBER",
  "CARD_ACTION_NOT_ALLOWED",
  "CARD_ALREADY_HELD",
  "HOLDER_ID_MISMATCH",
  "NOT_PARTNER_BANK",
  "NO_PARTNER_BANK",
  "FINANCIAL_ALREADY_ACTIVE",
  "RENEWAL_NOT_OPEN",
  "CONSENT_REQUIRED",
  "INSTITUTION_NOT_FOUND",
  "INSTITUTION_NOT_DESIGNATED",
  "TERMINAL_NOT_FOUND",
  "CATALOGUE_NOT_IN_FORCE",
  "CATALOGUE_INVALID",
  "ITEM_NOT_IN_CATALOGUE",
  "INSUFFICIENT_BALANCE",
  "MEDICAL_FUNCTION_SUSPENDED",
  "IDEMPOTENCY_KEY_REUSED",
  "SETTLEMENT_NOT_FOUND",
  "REFUND_NOT_ALLOWED",
  "CONTRIBUTION_ALREADY_PAID",
  "PASSWORD_REQUIRED",
  "PRIVACY_CONSENT_REQUIRED",
  "BIOMETRIC_CONSENT_REQUIRED",
  "REPLACEMENT_PENDING",
  "BANK_TASK_NOT_FOUND",
  "BATCH_NOT_FOUND",
  "CSV_INVALID",
  "NOTHING_TO_PRODUCE",
  "PHOTO_REQUIRED",
  "PASSWORD_WRONG",
  "PASSWORD_LOCKED",
  "PASSWORD_CHANGE_REQUIRED",
  "PASSWORD_NOT_SET",
  "WEAK_PASSWORD",
  "TOO_MANY_ATTEMPTS",
  "PIN_BLOCK_REQUIRED",
  "INVALID_PIN_BLOCK",
  "CARD_NOT_USABLE",
  "AGENT_NOT_ALLOWED",
  "HSM_UNAVAILABLE",
  "REMOTE_AUTH_NOT_FOUND",
  "CARD_AUTHENTICATION_FAILED",
  "CARD_BLACKLISTED",
  "KEY_NOT_FOUND",
  "KEY_VERSION_RETIRED",
  "READER_SLOT_NOT_FOUND",
  "READER_REFUSED",
  "EMPLOYER_NOT_FOUND",
  "EMPLOYER_EXISTS",
  "INVALID_CREDIT_CODE",
  "ALREADY_ENROLLED",
  "ENROLMENT_NOT_FOUND",
  "ENROLMENT_STATUS_CONFLICT",
  "NOTHING_TO_MERGE",
  "PERSONAL_NUMBER_NOT_FOUND",
  "ARREARS_NOT_FOUND",
  "HOLDER_NO_CARD",
  "ECARD_NOT_FOUND",
  "ECARD_CHANNEL_NOT_FOUND",
  "CHANNEL_SUSPENDED",
  "FACE_VERIFICATION_FAILED",
  "ECARD_UNUSABLE",
  "ECARD_CODE_REFUSED",
  "ECARD_PASSWORD_WRONG",
  "ECARD_PASSWORD_LOCKED",
  "ECARD_PASSWORD_NOT_SET",
  "COUNTER_TICKET_INVALID",
  "FAMILY_SLOTS_FULL",
  "CONCURRENT_MODIFICATION",
  "AUDIT_CHAIN_BROKEN",
  "DATABASE_UNAVAILABLE",
  "INTERNAL_ERROR",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorDetails = Record<string, unknown>;

/** The one error type of the domain: a stable code plus details; people's messages come from the catalogue. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: ErrorCode, details?: ErrorDetails) {
    super(details ? `${code} ${JSON.stringify(details)}` : code);
    this.name = "DomainError";
    this.code = code;
    this.details = details;
  }
}

/** True for a DomainError with the given code (or any DomainError when no code is given). */
export function isDomainError(err: unknown, code?: ErrorCode): err is DomainError {
  return err instanceof DomainError && (code === undefined || err.code === code);
}
