// Shared pieces: the router, data loading, small components and plain-words formatting.
import { html, useState, useEffect, useCallback } from "../vendor/htm-preact/standalone.module.js";

export { html };

// --- routing (history API; the server answers every /app/... path with the same page) ---
const listeners = new Set();
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  listeners.forEach((fn) => fn());
  scrollTo(0, 0);
  // Tell keyboard and screen-reader users the view changed: focus the new content.
  const main = document.getElementById("main");
  if (main) main.focus({ preventScroll: true });
}
addEventListener("popstate", () => listeners.forEach((fn) => fn()));
export function useLocation() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const fn = () => setTick((t) => t + 1);
    listeners.add(fn);
    return () => listeners.delete(fn);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}
// In-app links: plain <a href> (works with a middle click, a screen reader, no JS), intercepted.
document.addEventListener("click", (event) => {
  const a = event.target.closest && event.target.closest("a[href^='/app']");
  if (!a || a.target || a.hasAttribute("download") || event.defaultPrevented) return;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(a.getAttribute("href"));
});

// --- data ---
export function useAsync(fn, deps) {
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const load = useCallback(async (quiet = false) => {
    if (!quiet) setState((s) => ({ ...s, loading: true }));
    try {
      const data = await fn();
      setState({ loading: false, data, error: null });
    } catch (error) {
      setState({ loading: false, data: null, error });
    }
  }, deps);
  useEffect(() => { load(); }, [load]);
  return { ...state, reload: load };
}

export function Loading({ what = "Loading" }) {
  return html`<p class="muted" role="status">${what}…</p>`;
}
export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.message || String(error)}</p>`;
}
export function Async({ state, children }) {
  if (state.error) return html`<${ErrorBox} error=${state.error} />`;
  if (state.loading && !state.data) return html`<${Loading} />`;
  return children(state.data);
}

export function setTitle(text) {
  document.title = text ? `${text} - AAIE` : "AAIE";
}

// --- formatting in plain words ---
export function fmtDate(iso, withTime = true) {
  if (!iso) return "—";
  const d = new Date(iso);
  const opts = withTime
    ? { dateStyle: "medium", timeStyle: "short" }
    : { dateStyle: "medium" };
  return new Intl.DateTimeFormat(undefined, opts).format(d);
}
export function dueText(iso) {
  if (!iso) return "No due date";
  const d = new Date(iso);
  const days = Math.round((d - Date.now()) / 86400000);
  const when = fmtDate(iso);
  if (d < Date.now()) return `Was due ${when}`;
  if (days === 0) return `Due today, ${when}`;
  if (days === 1) return `Due tomorrow, ${when}`;
  return `Due ${when} (in ${days} days)`;
}
export const pct = (x, digits = 0) => (x == null ? "—" : `${Number(x).toFixed(digits)}%`);
export const conf = (x) => (x == null ? "—" : `${Math.round(x * 100)}%`);
export const STATUS_WORDS = {
  submitted: "Not reviewed yet",
  reviewed: "Reviewed",
  needs_follow_up: "Needs follow-up",
  archived: "Archived",
};
export const EVAL_WORDS = {
  queued: "Waiting to be evaluated",
  running: "Being evaluated",
  done: "Evaluated",
  failed: "Evaluation failed",
};

export function Badge({ kind, children }) {
  return html`<span class="badge ${kind || ""}">${children}</span>`;
}

export function slug(text) {
  return String(text || "").normalize("NFKD").replace(/[^\w\s-]/g, "").trim()
    .replace(/[\s_]+/g, "-").toLowerCase().slice(0, 60) || "x";
}

// Forms: collect named fields.
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === "checkbox") out[el.name] = el.checked;
    else if (el.type === "radio") { if (el.checked) out[el.name] = el.value; }
    else out[el.name] = el.value;
  }
  return out;
}
