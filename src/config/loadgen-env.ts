/** The environment variables the load generator honours (its flags win over them). */
export function loadgenEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  return { API_URL: env.API_URL, PAYMENTS_URL: env.PAYMENTS_URL, ADMIN_TOKEN: env.ADMIN_TOKEN, LOG_LEVEL: env.LOG_LEVEL };
}
