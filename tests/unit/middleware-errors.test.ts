import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  DependencyUnavailableError,
  InsufficientStockError,
  NotFoundError,
  PaymentDeclinedError,
  PaymentGatewayError,
  RateLimitedError,
  UnauthorizedError,
  ValidationError,
} from '../../src/domain/errors.ts';
import { recordingLogger, tinyApp } from './middleware-app.ts';

const REQUEST_ID = 'req-errors-1';

/** An app whose one route throws `error`, with the error handler of every service. */
const throwing = (error: Error) => {
  const logger = recordingLogger();
  const app = tinyApp(logger);
  app.get('/boom', () => {
    throw error;
  });
  return { app, logger, call: () => app.request('/boom', { headers: { 'x-request-id': REQUEST_ID } }) };
};

describe('error handler (src/http/errors.ts)', () => {
  it.each([
    [new ValidationError('invalid_body', 'quantity must be positive', [{ path: 'items.0.quantity' }]), 400],
    [new UnauthorizedError('invalid_credentials', 'wrong email or password'), 401],
    [new PaymentDeclinedError('payment_declined', 'the card was declined'), 402],
    [new NotFoundError('order_not_found', 'no such order'), 404],
    [new ConflictError('email_taken', 'the email is taken'), 409],
    [new InsufficientStockError('insufficient_stock', 'not enough stock'), 409],
    [new RateLimitedError(7), 429],
  ])('answers the expected outcome %o with %i, its code and the request id, logging no error', async (error, status) => {
    const { call, logger } = throwing(error);
    const res = await call();
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({
      error: error.code,
      message: error.message,
      request_id: REQUEST_ID,
      ...(error.details === undefined ? {} : { details: error.details }),
    });
    expect(res.headers.get('x-request-id')).toBe(REQUEST_ID);
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(logger.named('request_completed')[0]!.fields).toMatchObject({ status_code: status });
  });

  it('sets Retry-After on 429', async () => {
    expect((await throwing(new RateLimitedError(7)).call()).headers.get('retry-after')).toBe('7');
  });

  it.each([
    [new PaymentGatewayError('payment_gateway_unavailable', 'the payment gateway did not answer'), 502],
    [new DependencyUnavailableError('redis_unavailable', 'redis is down'), 503],
  ])('answers the failure %o with %i and logs request_failed with its code', async (error, status) => {
    const { call, logger } = throwing(error);
    const res = await call();
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: error.code, message: error.message, request_id: REQUEST_ID });
    expect(logger.named('request_failed')).toEqual([
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ error_code: error.code, exception_type: error.name }),
        context: expect.objectContaining({ request_id: REQUEST_ID }),
      }),
    ]);
  });

  it('answers an unexpected exception with a bare 500 (no message, no stack) and logs what it was', async () => {
    const { call, logger } = throwing(new TypeError("Cannot read properties of undefined (reading 'id') at /app/src/x.ts:1"));
    const res = await call();
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'internal_error', message: 'an unexpected error occurred', request_id: REQUEST_ID });
    expect(text).not.toContain('/app/src');
    expect(logger.named('unhandled_exception')).toEqual([
      expect.objectContaining({ fields: expect.objectContaining({ exception_type: 'TypeError', path: '/boom', method: 'GET' }) }),
    ]);
  });

  it.each([
    [415, 'unsupported_media_type'],
    [413, 'payload_too_large'],
    [400, 'bad_request'],
  ])("maps Hono's HTTPException %i to %s", async (status, code) => {
    const { call } = throwing(new HTTPException(status as 400, { message: `status ${status}` }));
    const res = await call();
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: code, message: `status ${status}`, request_id: REQUEST_ID });
  });

  it('answers an unmatched route with 404 not_found and the request id', async () => {
    const { app } = throwing(new Error('unused'));
    const res = await app.request('/nowhere?x=1', { method: 'DELETE', headers: { 'x-request-id': REQUEST_ID } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found', message: 'no route for DELETE /nowhere', request_id: REQUEST_ID });
    expect(res.headers.get('x-request-id')).toBe(REQUEST_ID);
  });
});
