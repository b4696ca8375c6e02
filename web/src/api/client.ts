// Typed API client (types generated from docs/openapi.json). Every call carries a fresh access token;
// a 401 triggers one refresh and one retry, so an expired token never loses the user's work.
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import { config } from "../config";
import { sessions, staffSession } from "../auth";
import { ApiError, networkError, problemError } from "./problem";

async function send(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch {
    throw networkError();
  }
}

function withBase(request: Request): Request {
  const base = config().apiUrl;
  if (!base) return request;
  const url = new URL(request.url);
  return new Request(base + url.pathname + url.search, request);
}

async function memberFetch(input: Request): Promise<Response> {
  const request = withBase(input);
  const retry = request.clone();
  const token = await sessions.accessToken();
  if (token) request.headers.set("authorization", `Bearer ${token}`);
  const response = await send(request);
  if (response.status !== 401 || !token) return response;
  const refreshed = await sessions.refresh();
  if (!refreshed) return response;
  retry.headers.set("authorization", `Bearer ${refreshed.accessToken}`);
  return send(retry);
}

async function staffFetch(input: Request): Promise<Response> {
  const request = withBase(input);
  const session = staffSession();
  if (session) request.headers.set("authorization", `Bearer ${session.accessToken}`);
  return send(request);
}

export const api = createClient<paths>({ fetch: memberFetch });
export const platformApi = createClient<paths>({ fetch: staffFetch });


/** Unwraps an openapi-fetch result: the data, or an ApiError built from the problem+json answer. */
export async function call<T>(result: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await result;
  if (!response.ok) throw problemError(response.status, error);
  return data as T;
}

export { ApiError };
