/** Thin clients for the Prometheus and Alertmanager HTTP APIs used by the e2e tests. */
export const PROMETHEUS = 'http://127.0.0.1:9090';
export const ALERTMANAGER = 'http://127.0.0.1:9093';

async function getJson(url: string): Promise<any> {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** An instant query; throws on a PromQL error (so a broken expression fails the test). */
export async function query(expr: string): Promise<Sample[]> {
  const body = await getJson(`${PROMETHEUS}/api/v1/query?query=${encodeURIComponent(expr)}`);
  if (body.status !== 'success') throw new Error(`query failed: ${expr}: ${body.error}`);
  const result = body.data.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
  if (body.data.resultType === 'scalar') return [{ metric: {}, value: Number((body.data.result as [number, string])[1]) }];
  return result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

export async function queryExemplars(expr: string, sinceSeconds = 3600): Promise<Array<{ labels: Record<string, string> }>> {
  const end = Date.now() / 1000;
  const body = await getJson(
    `${PROMETHEUS}/api/v1/query_exemplars?query=${encodeURIComponent(expr)}&start=${end - sinceSeconds}&end=${end}`,
  );
  return (body.data as Array<{ exemplars: Array<{ labels: Record<string, string> }> }>).flatMap((series) => series.exemplars);
}

export async function rules(): Promise<
  Array<{ name: string; query: string; type: string; health: string; lastError?: string; state?: string; lastEvaluation: string }>
> {
  const body = await getJson(`${PROMETHEUS}/api/v1/rules`);
  return body.data.groups.flatMap((g: any) => g.rules);
}

/** Active alerts: only `pending` and `firing` ones exist here (inactive alerts are not listed). */
export async function prometheusAlerts(): Promise<Array<{ labels: Record<string, string>; state: string; activeAt: string }>> {
  return (await getJson(`${PROMETHEUS}/api/v1/alerts`)).data.alerts;
}

export async function alertmanagerAlerts(): Promise<Array<{ labels: Record<string, string>; status: { state: string } }>> {
  return getJson(`${ALERTMANAGER}/api/v2/alerts`);
}

export async function labelValues(): Promise<string[]> {
  const names = (await getJson(`${PROMETHEUS}/api/v1/labels`)).data as string[];
  const values = await Promise.all(
    names.map(async (name) => (await getJson(`${PROMETHEUS}/api/v1/label/${encodeURIComponent(name)}/values`)).data as string[]),
  );
  return values.flat();
}
