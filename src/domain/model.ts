/** The shop's records as the use cases see them (money in integer cents). */
export interface Tenant {
  id: string;
  name: string;
}

export const SIGNUP_SOURCES = ['web', 'mobile', 'partner', 'referral'] as const;
export type SignupSource = (typeof SIGNUP_SOURCES)[number];

export interface User {
  id: string;
  tenantId: string;
  email: string;
  name: string;
  signupSource: SignupSource;
  createdAt: string;
}

export interface Product {
  sku: string;
  name: string;
  priceCents: number;
  stock: number;
}

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export type OrderStatus = 'pending' | 'completed' | 'failed';

export interface Order {
  id: string;
  tenantId: string;
  userId: string;
  status: OrderStatus;
  totalCents: number;
  lines: OrderLine[];
  failureReason: string | null;
  createdAt: string;
  confirmedAt: string | null;
}

export interface Session {
  userId: string;
  tenantId: string;
}

export interface PaymentCard {
  cardNumber: string;
  expiry: string;
  cvc: string;
}

export type ChargeResult = { status: 'approved'; chargeId: string } | { status: 'declined'; reason: string };
