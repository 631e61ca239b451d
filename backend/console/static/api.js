// The console's JSON API: same-origin fetch with the session cookie, the CSRF token on
// every unsafe request, and the backend's Italian `detail` as the error message.

const BASE = "/api/console";
let csrfToken = null;
let onUnauthorized = () => {};

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export function setCsrfToken(token) {
  csrfToken = token || null;
}

export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

function detailOf(body, status) {
  const detail = body && body.detail;
  if (typeof detail === "string") return detail;
  // FastAPI's validation errors: a list of {msg}.
  if (Array.isArray(detail) && detail.length) return detail.map((d) => d.msg).join("; ");
  if (status === 403) return "Non hai i permessi per questa operazione.";
  if (status === 404) return "Non trovato.";
  if (status >= 500) return "Errore del server: riprova tra poco.";
  return `Richiesta non riuscita (${status}).`;
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(BASE + path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, "Connessione al server assente: riprova tra poco.");
  }
  const text = response.status === 204 ? "" : await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (error) {
    data = null;
  }
  if (!response.ok) {
    // A lost session (expired, logged out elsewhere) sends the operator to the login form;
    // the login request itself reports its own 401.
    if (response.status === 401 && path !== "/login") onUnauthorized();
    throw new ApiError(response.status, detailOf(data, response.status));
  }
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body = {}) => api("POST", path, body);
export const patch = (path, body) => api("PATCH", path, body);
export const del = (path) => api("DELETE", path);
