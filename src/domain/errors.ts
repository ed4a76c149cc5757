/**
 * Errors the use cases raise on purpose. Each carries a stable `code` (a bounded `error.type` for
 * telemetry) and the HTTP layer maps it to a status; anything else is an unexpected 500.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly details?: unknown;

  constructor(code: string, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {}
export class ConflictError extends DomainError {}
export class UnauthorizedError extends DomainError {}
export class ValidationError extends DomainError {}
export class InsufficientStockError extends DomainError {}
export class PaymentDeclinedError extends DomainError {}
export class PaymentGatewayError extends DomainError {}
export class RateLimitedError extends DomainError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('rate_limited', 'too many requests for this tenant');
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
export class DependencyUnavailableError extends DomainError {}
