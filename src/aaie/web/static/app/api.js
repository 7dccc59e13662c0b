// The JSON API, called with the session cookie. State changes carry the CSRF token; a 401
// means the session ended: drafts are saved first, then the user signs in again and returns.
import { saveAllDrafts } from "./drafts.js";

const boot = JSON.parse(document.getElementById("aaie-boot").textContent);
export const me = boot.user;
let csrf = boot.csrf;

export class ApiError extends Error {
  constructor(status, body) {
    const err = (body && body.error) || {};
    super(err.message || `Request failed (${status})`);
    this.status = status;
    this.code = err.code;
    this.details = err.details;
  }
}

export function signInAgain() {
  saveAllDrafts();
  const here = location.pathname + location.search;
  location.assign(`/app/login?expired=1&next=${encodeURIComponent(here)}`);
}

export async function api(method, path, body, { form = false } = {}) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = csrf;
  let payload;
  if (form) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
  if (response.status === 401) {
    signInAgain();
    throw new ApiError(401, { error: { message: "Your session ended; signing in again." } });
  }
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body);
export const put = (path, body) => api("PUT", path, body);
export const patch = (path, body) => api("PATCH", path, body);
export const del = (path) => api("DELETE", path);
export const upload = (path, file, field = "file") => {
  const data = new FormData();
  data.append(field, file, file.name);
  return api("POST", path, data, { form: true });
};

// Keep the session alive while the user works: renew the cookie every third of its life if
// there was activity since the last renewal.
let active = false;
for (const ev of ["keydown", "pointerdown", "input"]) {
  addEventListener(ev, () => { active = true; }, { passive: true });
}
setInterval(async () => {
  if (!active) return;
  active = false;
  try {
    const response = await fetch("/app/session", {
      method: "POST", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin",
    });
    if (response.ok) csrf = (await response.json()).csrf;
  } catch { /* offline: the next API call will tell */ }
}, Math.max(30, boot.session_ttl_s / 3) * 1000);
