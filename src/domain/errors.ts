/**
 * Errors the use cases raise on purpose. Each carries a stable `code` (a bounded `error.type` for
 * telemetry) and the HTTP layer maps it to a status; anything else is an unexpected 500.
 *
 * `expectedOutcome` separates answers the shop gives by design (a declined card, a taken email, a
 * wrong password, an unknown id: 4xx) from failures of the system (the gateway or a dependency is
 * down: 5xx). Spans record the first kind in `error.type` only, and mark only the second as ERROR,
 * so error rates, error panels and error-keeping trace sampling count real failures.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly details?: unknown;
  readonly expectedOutcome: boolean = false;

  /** `options.cause` keeps the underlying failure (e.g. a driver error) for the error log. */
  constructor(code: string, message: string, details?: unknown, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.details = details;
    this.name = new.target.name;
  }
}

/** A business outcome the shop answers by design (4xx), not a failure of the system. */
export class ExpectedOutcome extends DomainError {
  override readonly expectedOutcome = true;
}

export class NotFoundError extends ExpectedOutcome {}
export class ConflictError extends ExpectedOutcome {}
export class UnauthorizedError extends ExpectedOutcome {}
export class ValidationError extends ExpectedOutcome {}
export class InsufficientStockError extends ExpectedOutcome {}
export class PaymentDeclinedError extends ExpectedOutcome {}
export class RateLimitedError extends ExpectedOutcome {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, message = 'too many requests for this tenant') {
    super('rate_limited', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
export class PaymentGatewayError extends DomainError {}
export class DependencyUnavailableError extends DomainError {}
