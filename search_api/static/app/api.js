// The page talks to 法搜 only through the public /api/v1 JSON API — the same
// calls a mini-app makes (see docs/api.md). Nothing here is private.

const BASE = "/api/v1";
const TIMEOUT_MS = 10000;

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.errors = (body && body.errors) || [];
  }
}

function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value === undefined || value === null || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

async function request(method, path, { params, body, signal } = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  if (signal) signal.addEventListener("abort", () => controller.abort(), { once: true });
  try {
    const response = await fetch(BASE + path + query(params), {
      method,
      headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: controller.signal,
    });
    if (response.status === 204) return null;
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  } finally {
    clearTimeout(timer);
  }
}

export const api = {
  search: (params, signal) => request("GET", "/search", { params, signal }),
  suggest: (q, signal) => request("GET", "/suggest", { params: { q, limit: 8 }, signal }),
  document: (id, params) => request("GET", `/documents/${encodeURIComponent(id)}`, { params }),
  feed: (params) => request("GET", "/feed", { params }),
  taxonomy: () => request("GET", "/taxonomy"),
  places: () => request("GET", "/places"),
  putProfile: (id, declared) =>
    request("PUT", `/profiles/${encodeURIComponent(id)}`, { body: declared }),
  deleteProfile: (id) => request("DELETE", `/profiles/${encodeURIComponent(id)}`),
  event: (profile, kind, docId) =>
    request("POST", "/events", { body: { profile, kind, doc_id: docId } }),
};

// Reference data changes only with a release: fetch once per page load.
let taxonomyPromise = null;
let placesPromise = null;
export const reference = {
  taxonomy: () => (taxonomyPromise ||= api.taxonomy()),
  places: () => (placesPromise ||= api.places()),
};
