import { Agent, request, errors } from 'undici';
import { PaymentGatewayError } from '../../domain/errors.ts';
import type { ChargeResult } from '../../domain/model.ts';
import type { ChargeRequest, PaymentGateway } from '../../domain/ports.ts';

/**
 * The payments service over HTTP (undici, keep-alive). The undici instrumentation makes the client
 * span and injects traceparent, so the charge continues the order's trace in the payments service.
 */
export class HttpPaymentGateway implements PaymentGateway {
  private readonly agent: Agent;

  private readonly baseUrl: string;
  private readonly timeoutMs: number;

  constructor(baseUrl: string, timeoutMs: number) {
    this.baseUrl = baseUrl;
    this.timeoutMs = timeoutMs;
    this.agent = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
  }

  async charge(charge: ChargeRequest): Promise<ChargeResult> {
    let response;
    try {
      response = await request(new URL('/charges', this.baseUrl), {
        method: 'POST',
        dispatcher: this.agent,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        headers: { 'content-type': 'application/json', 'x-tenant-id': charge.tenantId },
        body: JSON.stringify({
          order_id: charge.orderId,
          amount_cents: charge.amountCents,
          currency: charge.currency,
          card: { number: charge.card.cardNumber, expiry: charge.card.expiry, cvc: charge.card.cvc },
        }),
      });
    } catch (error) {
      const timedOut = error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError;
      throw new PaymentGatewayError(timedOut ? 'payment_timeout' : 'payment_unreachable', `payments service: ${(error as Error).message}`);
    }
    const body = (await response.body.json().catch(() => ({}))) as { status?: string; charge_id?: string; reason?: string; error?: string };
    if (response.statusCode === 201) return { status: 'approved', chargeId: body.charge_id ?? '' };
    if (response.statusCode === 200 && body.status === 'declined') return { status: 'declined', reason: body.reason ?? 'declined' };
    throw new PaymentGatewayError('payment_gateway_error', `payments service answered ${response.statusCode}`);
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
