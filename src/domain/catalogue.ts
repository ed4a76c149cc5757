/**
 * The demo shop's catalogue, the same for every tenant: the seed inserts it and the load generator
 * orders from it, so a SKU added here is both sold and bought. `product.sku` metric attributes come
 * from this bounded list.
 */
export const DEMO_PRODUCTS = [
  { sku: 'TSHIRT-OTEL', name: 'OpenTelemetry T-shirt', priceCents: 2500 },
  { sku: 'MUG-TRACE', name: 'Trace mug', priceCents: 1200 },
  { sku: 'STICKER-PACK', name: 'Sticker pack', priceCents: 500 },
  { sku: 'HOODIE-SPAN', name: 'Span hoodie', priceCents: 5500 },
  { sku: 'CAP-METRIC', name: 'Metric cap', priceCents: 1800 },
  { sku: 'BOOK-SRE', name: 'Site Reliability book', priceCents: 4200 },
] as const;

export const DEMO_SKUS = DEMO_PRODUCTS.map((p) => p.sku);
