// Runtime configuration: the same build runs locally (gateway origin) and behind CloudFront, which
// serves /config.json written at deploy time. Missing or partial config falls back to this origin.
export interface RuntimeConfig {
  /** Base URL of the REST API, without a trailing slash; "" means this origin. */
  apiUrl: string;
  /** WebSocket URL (ws:// or wss://) of the live updates endpoint. */
  wsUrl: string;
  /** The EventBridge bus committed events are published to (docs/events.md), when the deployment says. */
  eventBus?: string;
}

export function defaultConfig(location: { protocol: string; host: string }): RuntimeConfig {
  const ws = location.protocol === "https:" ? "wss:" : "ws:";
  return { apiUrl: "", wsUrl: `${ws}//${location.host}/ws` };
}

export function mergeConfig(base: RuntimeConfig, raw: unknown): RuntimeConfig {
  if (!raw || typeof raw !== "object") return base;
  const value = raw as Record<string, unknown>;
  const text = (key: string) => (typeof value[key] === "string" && value[key] ? (value[key] as string) : undefined);
  const eventBus = text("event_bus") ?? base.eventBus;
  return {
    apiUrl: (text("api_url") ?? base.apiUrl).replace(/\/+$/, ""),
    wsUrl: text("ws_url") ?? base.wsUrl,
    ...(eventBus ? { eventBus } : {}),
  };
}

let current: RuntimeConfig = defaultConfig(globalThis.location ?? { protocol: "http:", host: "127.0.0.1" });

export async function loadConfig(): Promise<RuntimeConfig> {
  try {
    const response = await fetch("/config.json", { cache: "no-store" });
    if (response.ok && (response.headers.get("content-type") ?? "").includes("json")) {
      current = mergeConfig(current, await response.json());
    }
  } catch {
    // No runtime config: this origin serves the API.
  }
  return current;
}

export const config = (): RuntimeConfig => current;
