// A small typed client over the types openapi-typescript generates from openapi.yaml
// (`npx openapi-typescript` writes ./schema.d.ts, see redocly.yaml). scripts/check-spec runs
// `tsc --noEmit` on it: the spec's types must be usable as written, and wrong uses must not compile.
import type { components, operations } from "./schema";

type Schemas = components["schemas"];
export type NotificationHandler = Schemas["NotificationHandler"];
export type HandlerList = operations["list_notification_handlers"]["responses"][200]["content"]["application/json"];
export type ListQuery = NonNullable<operations["list_notification_handlers"]["parameters"]["query"]>;
export type CreateForm = operations["create_notification_handler"]["requestBody"]["content"]["multipart/form-data"];
export type UpdateForm = operations["update_notification_handler"]["requestBody"]["content"]["multipart/form-data"];
export type Mutation = operations["create_notification_handler"]["responses"][201]["content"]["application/json"];
export type ErrorResponse = Schemas["ErrorResponse"];

/** Thrown for every 4XX/5XX answer, carrying the server's own message. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly body: ErrorResponse | undefined) {
    super(body?.errors[0]?.title ?? `HTTP ${status}`);
  }
}

export class Client {
  constructor(protected readonly baseUrl: string, private readonly apiKey: string) {}

  protected async call<T>(method: string, path: string, body?: FormData): Promise<T> {
    const response = await fetch(this.baseUrl + path, {
      method,
      headers: { Authorization: `Bearer ${this.apiKey}` },
      body: body ?? null,
    });
    const text = await response.text();
    if (!response.ok) {
      let parsed: ErrorResponse | undefined;
      try {
        parsed = JSON.parse(text) as ErrorResponse;
      } catch {
        parsed = undefined; // e.g. an HTML 404 page
      }
      throw new ApiError(response.status, parsed);
    }
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  list(query: ListQuery = {}): Promise<HandlerList> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) params.set(key, String(value));
    }
    return this.call<HandlerList>("GET", `/notification-handlers?${params}`);
  }

  async get(id: number): Promise<NotificationHandler> {
    const envelope = await this.call<Schemas["NotificationHandlerEnvelope"]>("GET", `/notification-handlers/${id}`);
    return envelope.data;
  }

  /** Older servers answer with `{id}` only: then read the handler back. */
  async create(form: CreateForm): Promise<NotificationHandler> {
    const answer = await this.call<Mutation>("POST", "/notification-handlers", toFormData(form));
    return "name" in answer.data ? answer.data : this.get(answer.data.id);
  }

  async update(id: number, form: UpdateForm): Promise<number> {
    const answer = await this.call<Mutation>("POST", `/notification-handlers/${id}`, toFormData(form));
    return answer.data.id;
  }

  /** The answer is an empty 200. */
  async delete(id: number): Promise<void> {
    await this.call<void>("DELETE", `/notification-handlers/${id}`);
  }
}

/** Any of the spec's forms: array fields (named `name[]`) are sent as one field per value. */
function toFormData(form: object): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(form)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) data.append(key, String(item));
  }
  return data;
}

export type Monitor = Schemas["Monitor"];
export type MonitorCreateForm = operations["create_monitor"]["requestBody"]["content"]["multipart/form-data"];
export type Heartbeat = Schemas["Heartbeat"];
export type HeartbeatCreateForm = operations["create_heartbeat"]["requestBody"]["content"]["multipart/form-data"];

/** Monitors and heartbeats through the same call: their answers are the same envelopes. */
export class Monitoring extends Client {
  async createMonitor(form: MonitorCreateForm): Promise<number> {
    const answer = await this.call<Schemas["MonitorMutation"]>("POST", "/monitors", toFormData(form));
    return answer.data.id;
  }

  async monitors(): Promise<Monitor[]> {
    return (await this.call<Schemas["MonitorList"]>("GET", "/monitors?results_per_page=100")).data;
  }

  async createHeartbeat(form: HeartbeatCreateForm): Promise<Heartbeat> {
    const answer = await this.call<Schemas["HeartbeatMutation"]>("POST", "/heartbeats", toFormData(form));
    const id = answer.data.id;
    return (await this.call<Schemas["HeartbeatEnvelope"]>("GET", `/heartbeats/${id}`)).data;
  }

  /** The ping URL is at the site root, without the key. */
  async ping(beat: Heartbeat): Promise<void> {
    await fetch(`${this.baseUrl.replace(/\/api$/, "")}/webhook-heartbeat/${beat.code}`);
  }
}

export async function monitoringTour(m: Monitoring, handlerId: number): Promise<void> {
  await m.createMonitor({
    name: "Home page",
    target: "https://example.com",
    type: "website",
    "is_ok_notifications[]": [handlerId],
    "request_header_name[]": ["X-Check"],
    "request_header_value[]": ["1"],
  });
  for (const monitor of await m.monitors()) {
    console.log(monitor.id, monitor.name, monitor.type, monitor.is_enabled, monitor.uptime);
  }
  const beat = await m.createHeartbeat({ name: "Nightly backup", run_interval: 1, run_interval_type: "days" });
  await m.ping(beat);
}

/** The spec's tolerant shapes, narrowed. */
export function isEnabled(h: NotificationHandler): boolean {
  return h.is_enabled === true || h.is_enabled === 1;
}

export function settingsOf(h: NotificationHandler): Schemas["HandlerSettings"] {
  const s = h.settings;
  // PHP writes empty settings as [] (or "[]" when encoded); they may also be null.
  if (s === undefined || s === null || Array.isArray(s)) return {};
  // One server version sends the settings object JSON-encoded as a string.
  if (typeof s !== "string") return s;
  const parsed: unknown = s.trim() === "" ? {} : JSON.parse(s);
  return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
    ? (parsed as Schemas["HandlerSettings"])
    : {};
}

/** A stored datetime, or null for none, an empty one or MySQL's zero date. */
export function dateOf(value: string | null | undefined): Date | null {
  if (!value || value.startsWith("0000-00-00")) return null;
  return new Date(value.replace(" ", "T") + "Z");
}

export function lastFired(h: NotificationHandler): Date | null {
  return dateOf(h.last_datetime);
}

export async function tour(client: Client): Promise<void> {
  const created = await client.create({ name: "From TypeScript", type: "webhook", webhook: "https://example.com/hook" });
  await client.update(created.id, { name: "Renamed", is_enabled: 0 });
  const page = await client.list({ page: 1, results_per_page: 100, order_by: "name", order_type: "ASC" });
  for (const h of page.data) {
    // `type` is null when the server stored a type it does not support.
    console.log(h.id, h.name, h.type ?? "?", isEnabled(h), settingsOf(h).webhook ?? "", lastFired(h));
  }
  console.log(`${page.meta.total_pages} page(s)`);
  await client.delete(created.id);
}

// Wrong uses do not compile:
// @ts-expect-error: "sms" is not a HandlerType
export const badType: CreateForm = { name: "x", type: "sms" };
// @ts-expect-error: is_enabled is sent as 0 or 1, never a boolean
export const badEnabled: UpdateForm = { is_enabled: true };
// @ts-expect-error: results_per_page is one of 10, 25, 50, 100
export const badPerPage: ListQuery = { results_per_page: 30 };
// @ts-expect-error: "http" is not a MonitorType
export const badMonitorType: MonitorCreateForm = { name: "x", target: "https://example.com", type: "http" };
// @ts-expect-error: a heartbeat's name is required
export const noName: HeartbeatCreateForm = { run_interval: 1 };
