/** The environment variables `npm run profile` honours; its flags win over them. */
export function profileEnv(env: NodeJS.ProcessEnv = process.env): { ADMIN_TOKEN: string | undefined } {
  return { ADMIN_TOKEN: env.ADMIN_TOKEN };
}
