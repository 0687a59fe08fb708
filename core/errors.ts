/** Every error a user can cause carries a stable code and a one-line human message. */
export const errorCodes = {
  CONFIG_INVALID: 500,
  FILE_NOT_FOUND: 400,
  FILE_EMPTY: 400,
  UNSUPPORTED_FORMAT: 400,
  AUDIO_UNDECODABLE: 400,
  AUDIO_TRUNCATED: 400,
  TRANSCRIPT_INVALID: 400,
  METADATA_INVALID: 400,
  METADATA_ORPHAN: 400,
  ASR_MODEL_MISSING: 503,
  MODEL_DOWNLOAD_FAILED: 502,
  MODEL_CHECKSUM_MISMATCH: 502,
  ASR_FAILED: 500,
  ASR_TIMEOUT: 504,
  NLP_MODEL_MISSING: 503,
  SCORECARD_INVALID: 500,
  STAGE_FAILED: 500,
  QUEUE_NOT_CONFIGURED: 404,
  QUEUE_UNAVAILABLE: 503,
  JOB_NOT_FOUND: 404,
  JOB_INVALID: 400,
  BAD_REQUEST: 400,
  STORE_UNAVAILABLE: 503,
  STORE_FAILED: 500,
  CLUSTER_FAILED: 500,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class CallScopeError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'CallScopeError';
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return errorCodes[this.code];
  }
}

export function isCallScopeError(err: unknown): err is CallScopeError {
  return err instanceof CallScopeError;
}

/** The message of anything thrown, without a stack. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
