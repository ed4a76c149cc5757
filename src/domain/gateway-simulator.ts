import { randomUUID } from 'node:crypto';

/** The fake gateway's behaviour, tunable at runtime so failure scenarios can be switched on and off. */
export interface GatewaySettings {
  latencyMs: number;
  failureRate: number;
  declineRate: number;
}

export type ChargeOutcome =
  | { kind: 'approved'; chargeId: string; latencyMs: number }
  | { kind: 'declined'; reason: string; latencyMs: number }
  | { kind: 'failed'; latencyMs: number };

const DECLINE_REASONS = ['insufficient_funds', 'card_expired', 'do_not_honor'] as const;

/**
 * Decides each charge's outcome: a gateway failure with probability failureRate, else a decline with
 * probability declineRate, else approval. Latency is the configured value ±20% jitter, so latency
 * histograms look like real traffic rather than a single spike.
 */
export class GatewaySimulator {
  private settings: GatewaySettings;

  private readonly random: () => number;

  constructor(initial: GatewaySettings, random: () => number = Math.random) {
    this.random = random;
    this.settings = { ...initial };
  }

  current(): GatewaySettings {
    return { ...this.settings };
  }

  update(changes: Partial<GatewaySettings>): GatewaySettings {
    this.settings = { ...this.settings, ...changes };
    return this.current();
  }

  decide(): ChargeOutcome {
    const { latencyMs, failureRate, declineRate } = this.settings;
    const jittered = Math.max(0, Math.round(latencyMs * (0.8 + 0.4 * this.random())));
    if (this.random() < failureRate) return { kind: 'failed', latencyMs: jittered };
    if (this.random() < declineRate) {
      const reason = DECLINE_REASONS[Math.floor(this.random() * DECLINE_REASONS.length)] ?? 'do_not_honor';
      return { kind: 'declined', reason, latencyMs: jittered };
    }
    return { kind: 'approved', chargeId: `ch_${randomUUID()}`, latencyMs: jittered };
  }
}
