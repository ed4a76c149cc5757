/**
 * Business dashboard (uid otelkit-business): what the shop's metrics say about the business, per
 * tenant. The counters come from the api's own instruments (shop.* in docs/contract-draft.md);
 * they carry tenant.id but never user or order ids, which keeps them cheap to store.
 *
 * "Today" panels use a panel time override (now/d: midnight in the browser's time zone until now)
 * with increase(...[$__range]), so they answer "since midnight" whatever range the dashboard shows.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { BarGaugeDisplayMode, ReduceDataOptionsBuilder, VizOrientation } from '@grafana/grafana-foundation-sdk/common';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import { PanelBuilder as PieChartPanel, PieChartType } from '@grafana/grafana-foundation-sdk/piechart';
import { tenantVariable } from './variables.ts';
import { otelkitDashboardsLink } from './links.ts';
import { PROMETHEUS } from './datasources.ts';
import { neutralThresholds } from './thresholds.ts';
import type { PanelSize, PanelText } from './panels.ts';
import { promInstantTable, promRange, stat, timeseries } from './panels.ts';

/** Series of the selected tenants. */
const TEN = 'service_namespace="otelkit", tenant_id=~"$tenant"';
const RATE = '[$__rate_interval]';
/** Grafana custom units for rates shown per minute / per hour (easier to read for business counts). */
const PER_MINUTE = 'suffix: /min';
const PER_HOUR = 'suffix: /h';

/** All queries of this dashboard, in one place so they are easy to review and adjust. */
export const queries = {
  revenueToday: `sum(increase(shop_revenue_total{${TEN}}[$__range]))`,
  ordersToday: `sum(increase(shop_orders_total{${TEN}, order_status="completed"}[$__range]))`,
  failedPaymentsToday: `sum(increase(shop_payment_failures_total{${TEN}}[$__range]))`,
  // A gauge per api instance ("distinct users seen today"): max per tenant, then sum over tenants,
  // so that two api replicas do not count the same tenant's users twice.
  activeUsers: `sum(max by (tenant_id) (shop_users_active{${TEN}}))`,
  apiCalls24h: `sum(increase(shop_api_calls_total{${TEN}}[24h]))`,
  revenuePerHour: `sum by (tenant_id) (rate(shop_revenue_total{${TEN}}${RATE})) * 3600`,
  ordersPerMinute: `sum by (order_status) (rate(shop_orders_total{${TEN}}${RATE})) * 60`,
  signupsBySource: `sum by (signup_source) (increase(shop_signups_total{${TEN}}[$__range]))`,
  signupsPerHour: `sum by (signup_source) (rate(shop_signups_total{${TEN}}${RATE})) * 3600`,
  paymentFailuresPerMinute: `sum by (payment_failure_reason) (rate(shop_payment_failures_total{${TEN}}${RATE})) * 60`,
  apiCallsPerTenant24h: `sort_desc(sum by (tenant_id) (increase(shop_api_calls_total{${TEN}}[24h])))`,
  apiCallsPerTenantRate: `sum by (tenant_id) (rate(shop_api_calls_total{${TEN}}${RATE}))`,
  topProductsRevenue: `topk(10, sum by (product_sku) (increase(shop_revenue_total{${TEN}}[$__range])))`,
  // A healthy shop has no rejections: `or vector(0)` shows a flat zero, not "No data".
  rateLimitRejections: `(sum by (tenant_id) (rate(shop_rate_limit_rejections_total{${TEN}}${RATE})) * 60) or vector(0)`,
} as const;

const today = (text: PanelText, unit: string, expr: string): ReturnType<typeof stat> =>
  stat(text, { w: 5, h: 5 }, unit, [promRange('A', expr, text.title)]).timeFrom('now/d');

/** Horizontal bars of one instant query, one bar per series (sorted by the query). */
const bars = (text: PanelText, size: PanelSize, unit: string, expr: string, legend: string): BarGaugePanel =>
  new BarGaugePanel()
    .title(text.title)
    .description(text.description)
    .datasource(PROMETHEUS)
    .span(size.w)
    .height(size.h)
    .unit(unit)
    .thresholds(neutralThresholds())
    .displayMode(BarGaugeDisplayMode.Gradient)
    .orientation(VizOrientation.Horizontal)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .targets([promInstantTable('A', expr, legend)]);

const headline = [
  today(
    { title: 'Revenue today', description: 'Sum of completed order line items since midnight (USD).' },
    'currencyUSD',
    queries.revenueToday,
  ),
  today({ title: 'Orders today', description: 'Completed orders since midnight.' }, 'short', queries.ordersToday),
  today(
    { title: 'Failed payments today', description: 'Declined, gateway errors and timeouts since midnight.' },
    'short',
    queries.failedPaymentsToday,
  ),
  stat({ title: 'Active users', description: 'Distinct users seen today, summed over the selected tenants.' }, { w: 4, h: 5 }, 'short', [
    promRange('A', queries.activeUsers, 'users'),
  ]),
  stat(
    { title: 'API calls (24h)', description: 'Authenticated API calls in the last 24 hours, selected tenants.' },
    { w: 5, h: 5 },
    'short',
    [promRange('A', queries.apiCalls24h, 'calls')],
  ),
];

const trends = [
  timeseries(
    { title: 'Revenue per hour by tenant', description: 'Current revenue rate, extrapolated to one hour.' },
    { w: 12, h: 8 },
    'currencyUSD',
    [promRange('A', queries.revenuePerHour, '{{tenant_id}}')],
  ),
  timeseries({ title: 'Orders per minute by status', description: 'completed vs failed orders.' }, { w: 12, h: 8 }, PER_MINUTE, [
    promRange('A', queries.ordersPerMinute, '{{order_status}}'),
  ]),
  timeseries(
    {
      title: 'Failed payments per minute by reason',
      description: 'declined (402, customer side) vs gateway_error / timeout (502, our side: see the RED dashboard).',
    },
    { w: 12, h: 8 },
    PER_MINUTE,
    [promRange('A', queries.paymentFailuresPerMinute, '{{payment_failure_reason}}')],
  ),
  timeseries(
    { title: 'Rate-limited requests per minute', description: 'Requests refused because a tenant exceeded its rate limit.' },
    { w: 12, h: 8 },
    PER_MINUTE,
    [promRange('A', queries.rateLimitRejections, '{{tenant_id}}')],
  ),
];

const breakdowns = [
  new PieChartPanel()
    .title('Signups by source')
    .description('Signups in the selected time range, by signup.source.')
    .datasource(PROMETHEUS)
    .span(8)
    .height(9)
    .unit('short')
    .pieType(PieChartType.Donut)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .targets([promInstantTable('A', queries.signupsBySource, '{{signup_source}}')]),
  bars(
    { title: 'API calls per tenant (24h)', description: 'Who uses the API most: capacity planning and billing.' },
    { w: 8, h: 9 },
    'short',
    queries.apiCallsPerTenant24h,
    '{{tenant_id}}',
  ),
  bars(
    { title: 'Top 10 products by revenue', description: 'Revenue per product.sku in the selected time range (USD).' },
    { w: 8, h: 9 },
    'currencyUSD',
    queries.topProductsRevenue,
    '{{product_sku}}',
  ),
  timeseries(
    { title: 'Signups per hour by source', description: 'Current signup rate, extrapolated to one hour.' },
    { w: 12, h: 8 },
    PER_HOUR,
    [promRange('A', queries.signupsPerHour, '{{signup_source}}')],
  ),
  timeseries({ title: 'API calls per second by tenant', description: 'Traffic mix over time.' }, { w: 12, h: 8 }, 'reqps', [
    promRange('A', queries.apiCallsPerTenantRate, '{{tenant_id}}'),
  ]),
];

/** Builds the Business dashboard. */
export const businessDashboard = (): Dashboard => {
  const builder = new DashboardBuilder('otelkit / Business: revenue, orders, tenants')
    .uid('otelkit-business')
    .description('Revenue, orders, signups, payment failures, active users and API usage per tenant.')
    .tags(['otelkit', 'business'])
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .readonly()
    .withVariable(tenantVariable())
    .link(otelkitDashboardsLink());
  for (const panel of headline) builder.withPanel(panel);
  builder.withRow(new RowBuilder('Trends'));
  for (const panel of trends) builder.withPanel(panel);
  builder.withRow(new RowBuilder('Breakdowns'));
  for (const panel of breakdowns) builder.withPanel(panel);
  return builder.build();
};
