import type { Context } from 'hono';
import type { z } from 'zod';
import { ValidationError } from '../domain/errors.ts';

/** Field-level details of a zod failure: where and what, never the offending value. */
function details(error: z.ZodError) {
  return error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }));
}

/** Parses the JSON body with `schema`; malformed JSON and invalid fields become a 400 with details. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ValidationError('malformed_json', 'the request body is not valid JSON');
  }
  return parseWith(schema, body);
}

/** Validates any input (path params, headers) with `schema`, raising a 400 with field details. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError('validation_failed', 'the request is invalid', details(result.error));
  return result.data;
}
