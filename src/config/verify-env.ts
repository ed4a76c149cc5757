/** The environment variables `npm run verify` honours; its flags win over them. */
export function verifyEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  return {
    API_URL: env.API_URL,
    PROMETHEUS_URL: env.PROMETHEUS_URL,
    TEMPO_URL: env.TEMPO_URL,
    LOKI_URL: env.LOKI_URL,
    GRAFANA_URL: env.GRAFANA_URL,
    ALERTMANAGER_URL: env.ALERTMANAGER_URL,
    COLLECTOR_HEALTH_URL: env.COLLECTOR_HEALTH_URL,
    COLLECTOR_METRICS_URL: env.COLLECTOR_METRICS_URL,
    // The .env of docker compose names Grafana's admin GRAFANA_ADMIN_*: accepted as a fallback.
    GRAFANA_USER: env.GRAFANA_USER ?? env.GRAFANA_ADMIN_USER,
    GRAFANA_PASSWORD: env.GRAFANA_PASSWORD ?? env.GRAFANA_ADMIN_PASSWORD,
    VERIFY_BACKENDS: env.VERIFY_BACKENDS,
  };
}
