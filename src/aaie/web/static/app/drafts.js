// Drafts kept in this browser (localStorage), so an expired session never loses typed text.
// Every registered text field is saved as it changes and restored when its page opens again.
const PREFIX = "aaie:draft:";
const live = new Map(); // key -> () => value

export function draftKey(...parts) {
  return PREFIX + parts.join(":");
}

export function loadDraft(key) {
  try {
    const raw = localStorage.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

export function saveDraft(key, value) {
  try {
    const empty = !value || Object.values(value).every((v) => !v);
    if (empty) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify({ ...value, saved_at: new Date().toISOString() }));
  } catch { /* storage full or disabled: nothing else to do */ }
}

export function clearDraft(key) {
  live.delete(key);
  try { localStorage.removeItem(key); } catch { /* ignore */ }
}

export function trackDraft(key, read) {
  live.set(key, read);
  return () => live.delete(key);
}

export function saveAllDrafts() {
  for (const [key, read] of live) saveDraft(key, read());
}

addEventListener("pagehide", saveAllDrafts);
