// Student views: my assignments, submit (paste or file, optional chat log), my submission with
// feedback and the rubric, resubmit. Everything shown comes from the student's own API calls,
// which never carry teacher-only results.
import { useState, useEffect, useRef } from "../vendor/htm-preact/standalone.module.js";
import { get, post, upload, ApiError } from "./api.js";
import { draftKey, loadDraft, saveDraft, clearDraft, trackDraft } from "./drafts.js";
import {
  html, Async, useAsync, setTitle, dueText, fmtDate, Badge, EVAL_WORDS, navigate, ErrorBox,
} from "./ui.js";

export function Home() {
  setTitle("My assignments");
  const state = useAsync(async () => {
    const [assignments, subs] = await Promise.all([
      get("/api/assignments?limit=200"),
      get("/api/submissions?limit=200"),
    ]);
    const byAssignment = Object.fromEntries(subs.items.map((s) => [s.assignmentId, s]));
    return { assignments: assignments.items, byAssignment };
  }, []);
  return html`
    <h1>My assignments</h1>
    <${Async} state=${state}>${({ assignments, byAssignment }) =>
      assignments.length === 0
        ? html`<p class="card">No assignments yet. Your teacher will add you to one.</p>`
        : html`<ul class="stack" style="list-style:none;padding:0">
            ${assignments.map((a) => {
              const sub = byAssignment[a.assignmentId];
              return html`<li class="card" key=${a.assignmentId}>
                <h2 style="margin-top:0"><a href=${`/app/assignments/${a.assignmentId}`}>${a.title}</a></h2>
                <p class=${a.is_open ? "" : "muted"}>${dueText(a.due_at)}</p>
                <p>${sub
                  ? html`<${Badge} kind="done">Submitted ${sub.version}</${Badge}>
                      <a href=${`/app/submissions/${sub.submissionId}`} style="margin-left:.5rem">See my work and feedback</a>`
                  : html`<${Badge}>Not submitted yet</${Badge}>`}</p>
              </li>`;
            })}
          </ul>`}
    </${Async}>`;
}

export function AssignmentPage({ id }) {
  const state = useAsync(() => get(`/api/assignments/${id}`), [id]);
  return html`<${Async} state=${state}>${(a) => {
    setTitle(a.title);
    return html`
      <p><a href="/app">← My assignments</a></p>
      <h1>${a.title}</h1>
      <p class=${a.is_open ? "" : "muted"}>${dueText(a.due_at)}</p>
      ${a.prompt_text && html`<section class="card" aria-labelledby="prompt-h">
        <h2 id="prompt-h" style="margin-top:0">The task</h2>
        <p style="white-space:pre-wrap">${a.prompt_text}</p>
        <${PublicRubric} criteria=${a.rubric_text} />
      </section>`}
      ${a.submissionId
        ? html`<p class="card">You have submitted this assignment.
            <a href=${`/app/submissions/${a.submissionId}`}>See your work and feedback</a>; you can submit a new version there.</p>`
        : a.is_open
          ? html`<${SubmitForm} assignment=${a} />`
          : html`<p class="notice">This assignment is past its due date.</p>`}`;
  }}</${Async}>`;
}

const BUILTIN_MEANING = {
  Structure: "how the essay is organised: an opening, paragraphs that each make a point, links between them, a conclusion",
  Clarity: "how easy your sentences are to follow",
  Relevance: "how directly and fully you answer the prompt",
  AcademicWriting: "vocabulary, spelling, grammar and a suitable tone",
};
function PublicRubric({ criteria }) {
  if (!criteria || !criteria.length) return null;
  return html`<h3>How your work is assessed</h3>
    <p class="small muted">Each criterion gets a level: Excellent, Good, Fair or Poor.</p>
    <ul class="public-rubric">${criteria.map((c) => {
      const meaning = c.description || BUILTIN_MEANING[c.name];
      const bands = Object.entries(c.bands || {});
      return html`<li key=${c.name}><strong>${c.name}</strong>${meaning ? `: ${meaning}` : ""}
        ${bands.length > 0 && html`<dl class="bands small">${bands.map(([level, words]) => html`<div key=${level}><dt>${level}</dt><dd>${words}</dd></div>`)}</dl>`}</li>`;
    })}</ul>`;
}

// --- chat logs: pasted turns ("User: ..." / "AI: ...") or a JSON file ---
const USER = /^(user|me|you|student|human|q)\s*:\s*/i;
const AI = /^(ai|assistant|chatgpt|gpt|bot|claude|gemini|copilot|a)\s*:\s*/i;
export function parseChat(text) {
  const turns = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    let m;
    if ((m = line.match(USER))) turns.push({ role: "user", text: line.slice(m[0].length) });
    else if ((m = line.match(AI))) turns.push({ role: "ai", text: line.slice(m[0].length) });
    else if (turns.length) turns[turns.length - 1].text += "\n" + line;
    else if (line.trim()) turns.push({ role: "user", text: line });
  }
  return turns.map((t) => ({ ...t, text: t.text.trim() })).filter((t) => t.text);
}
function chatFromJson(data) {
  const list = Array.isArray(data) ? data : data && (data.chat_log || data.messages || data.turns);
  if (!Array.isArray(list)) throw new Error("The chat file must be a JSON list of turns.");
  return list.map((t) => {
    const role = String(t.role || "").toLowerCase();
    return { role: role === "user" || role === "human" ? "user" : "ai", text: String(t.text ?? t.content ?? "") };
  }).filter((t) => t.text.trim());
}
function chatToText(turns) {
  return turns.map((t) => `${t.role === "ai" ? "AI" : "User"}: ${t.text}`).join("\n");
}

export function SubmitForm({ assignment, submissionId, initialText = "" }) {
  const key = draftKey(submissionId ? "resubmit" : "submit", submissionId || assignment.assignmentId);
  const saved = useRef(loadDraft(key));
  if (saved.current && saved.current.text === initialText && !saved.current.chat) saved.current = null;
  const [mode, setMode] = useState("paste");
  const [text, setText] = useState(saved.current?.text ?? initialText);
  const [chat, setChat] = useState(saved.current?.chat ?? "");
  const [file, setFile] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const values = useRef({ text, chat });
  values.current = { text, chat };

  useEffect(() => trackDraft(key, () => (values.current.text === initialText && !values.current.chat ? {} : values.current)), [key]);
  useEffect(() => {
    if (text === initialText && !chat) return; // nothing typed yet: no draft to keep
    const timer = setTimeout(() => saveDraft(key, values.current), 400);
    return () => clearTimeout(timer);
  }, [text, chat]);

  async function onChatFile(event) {
    const f = event.target.files[0];
    if (!f) return;
    try {
      setChat(chatToText(chatFromJson(JSON.parse(await f.text()))));
      setError(null);
    } catch (e) {
      setError(new Error(`That chat file could not be read: ${e.message}`));
    }
  }

  async function submit(event) {
    event.preventDefault();
    setError(null);
    const turns = chat.trim() ? parseChat(chat) : null;
    if (mode === "paste" && !text.trim()) return setError(new Error("Paste or type your essay first."));
    if (mode === "file" && !file) return setError(new Error("Choose a file first."));
    setBusy(true);
    saveDraft(key, values.current);
    try {
      const body = { chat_log: turns && turns.length ? turns : null };
      if (mode === "file") body.file_ref = (await upload("/api/files", file)).fileId;
      else body.text = text;
      const done = submissionId
        ? await post(`/api/submissions/${submissionId}/resubmit`, body)
        : await post(`/api/assignments/${assignment.assignmentId}/submit`, body);
      clearDraft(key);
      navigate(`/app/submissions/${done.submissionId}?sent=${done.version}`);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) setError(e);
      setBusy(false);
    }
  }

  return html`
    <form class="card" onSubmit=${submit} aria-labelledby="submit-h">
      <h2 id="submit-h" style="margin-top:0">${submissionId ? "Submit a new version" : "Submit your work"}</h2>
      ${saved.current && html`<p class="notice" role="status" id="draft-restored">
        We kept your unsent draft from ${fmtDate(saved.current.saved_at)} in this browser.</p>`}
      <fieldset>
        <legend>How do you want to hand it in?</legend>
        <label class="check"><input type="radio" name="how" value="paste" checked=${mode === "paste"}
          onChange=${() => setMode("paste")} /> Paste or type the text</label>
        <label class="check"><input type="radio" name="how" value="file" checked=${mode === "file"}
          onChange=${() => setMode("file")} /> Upload a file (.txt, .md, .docx or .pdf)</label>
      </fieldset>
      ${mode === "paste"
        ? html`<div class="field">
            <label for="essay">Your essay <span class="hint">Saved in this browser as you type, until you send it.</span></label>
            <textarea id="essay" class="essay" value=${text} onInput=${(e) => setText(e.target.value)}></textarea>
            <span class="hint">${text.trim() ? text.trim().split(/\s+/).length : 0} words</span>
          </div>`
        : html`<div class="field">
            <label for="essay-file">Your file</label>
            <input id="essay-file" type="file" accept=".txt,.md,.docx,.pdf" onChange=${(e) => setFile(e.target.files[0] || null)} />
          </div>`}
      <details open=${!!chat}>
        <summary>Did you use an AI chat for this work? Add the conversation (optional)</summary>
        <div class="field" style="margin-top:.6rem">
          <label for="chat">Chat log <span class="hint">One turn per line, starting with "User:" or "AI:". Longer turns can run over several lines.</span></label>
          <textarea id="chat" value=${chat} onInput=${(e) => setChat(e.target.value)}
            placeholder=${"User: Give me ideas for my essay\nAI: Here are three ideas..."}></textarea>
        </div>
        <div class="field">
          <label for="chat-file">…or a JSON file <span class="hint">a list of {"role": "user" or "ai", "text": "..."}</span></label>
          <input id="chat-file" type="file" accept=".json,application/json" onChange=${onChatFile} />
        </div>
      </details>
      <${ErrorBox} error=${error} />
      <p><button class="primary" type="submit" disabled=${busy}>${busy ? "Sending and checking…" : "Submit"}</button></p>
    </form>`;
}

export function Feedback({ evaluation, status, error }) {
  if (status === "queued" || status === "running") {
    return html`<p class="notice" role="status">Your work is being read. Feedback appears here in a moment.</p>`;
  }
  if (status === "failed") return html`<p class="error">${error || "The evaluation failed."}</p>`;
  if (!evaluation || !evaluation.feedback) return html`<p class="muted">No feedback yet.</p>`;
  return html`<div class="feedback" style="white-space:pre-wrap">${evaluation.feedback}</div>`;
}

// Why a criterion has no level, as everyone reads it: "Not scored by AAIE: ..." (the PDF and
// `aaie evaluate --html` write the same: aaie.engine.explain.not_scored_words).
export function notScoredWords(reason) {
  if (!reason) return "Not scored by AAIE.";
  const text = reason.replace(/^(not scored( by [^:]+)?|not assessed):\s*/i, "");
  const first = /^[a-z]/.test(text.charAt(1)) ? text.charAt(0).toLowerCase() : text.charAt(0); // keep "AAIE"
  return `Not scored by AAIE: ${first}${text.slice(1)}${/[.!?]$/.test(text) ? "" : "."}`;
}

// criteria: the rubric's text (name, description, band descriptors) from the assignment.
export function RubricLabels({ rubric, notes, criteria }) {
  const entries = Object.entries(rubric || {});
  if (!entries.length) return null;
  const text = Object.fromEntries((criteria || []).map((c) => [c.name, c]));
  return html`<table class="rubric-labels">
    <caption class="muted small" style="text-align:left">Each criterion is Excellent, Good, Fair or Poor.</caption>
    <thead><tr><th scope="col">Criterion</th><th scope="col">Level</th></tr></thead>
    <tbody>${entries.map(([name, label]) => html`<tr key=${name}>
      <td>${name}${text[name] && text[name].description && html`<br /><span class="small muted">${text[name].description}</span>`}</td>
      <td>${label
        ? html`<${Badge} kind=${label}>${label}</${Badge}>${text[name] && text[name].bands && text[name].bands[label] && html`<br /><span class="small muted">${text[name].bands[label]}</span>`}`
        : html`<span class="not-scored small">${notScoredWords((notes || {})[name])}</span>`}</td></tr>`)}</tbody>
  </table>`;
}

export function SubmissionPage({ id }) {
  const state = useAsync(async () => {
    const sub = await get(`/api/submissions/${id}`);
    // The rubric's words (descriptions, band descriptors) come with the assignment.
    const assignment = await get(`/api/assignments/${sub.assignmentId}`).catch(() => null);
    return { ...sub, criteria: assignment ? assignment.rubric_text : [] };
  }, [id]);
  const [pick, setPick] = useState(null);
  const sub = state.data;
  useEffect(() => {
    if (!sub || !["queued", "running"].includes(sub.evaluation_status)) return;
    const t = setTimeout(() => state.reload(true), 2000);
    return () => clearTimeout(t);
  }, [sub]);
  return html`<${Async} state=${state}>${(s) => {
    setTitle(`My work: ${s.assignment_title}`);
    const v = s.versions.find((x) => x.version === (pick || s.version)) || s.versions[s.versions.length - 1];
    const sent = new URLSearchParams(location.search).get("sent");
    return html`
      <p><a href="/app">← My assignments</a></p>
      <div class="page-head">
        <div><h1>${s.assignment_title}</h1>
          <p class="muted">Your submission, ${s.versions.length} version${s.versions.length > 1 ? "s" : ""}; last sent ${fmtDate(s.updated_at)}</p></div>
        <div class="actions">
          <a class="button" href=${`/api/submissions/${s.submissionId}/download?format=pdf`} download>Download my report (PDF)</a>
        </div>
      </div>
      ${sent && html`<p class="success" role="status">Thank you: version ${sent} was received.</p>`}
      ${s.versions.length > 1 && html`<div class="field" style="max-width:260px">
        <label for="version">Version</label>
        <select id="version" value=${v.version} onChange=${(e) => setPick(e.target.value)}>
          ${s.versions.map((x) => html`<option value=${x.version}>${x.version} — ${fmtDate(x.created_at)}</option>`)}
        </select></div>`}
      <div class="split">
        <section class="card" aria-labelledby="fb-h">
          <h2 id="fb-h" style="margin-top:0">Feedback on ${v.version}</h2>
          <p class="muted small">${EVAL_WORDS[v.evaluation_status] || ""}</p>
          <${Feedback} evaluation=${v.evaluation} status=${v.evaluation_status} error=${v.error} />
          <h3>Rubric</h3>
          <${RubricLabels} rubric=${v.evaluation && v.evaluation.rubric} notes=${v.rubric_notes} criteria=${s.criteria} />
        </section>
        <section class="card" aria-labelledby="text-h">
          <h2 id="text-h" style="margin-top:0">What you handed in</h2>
          ${v.file && html`<p class="small muted">From the file ${v.file.filename}</p>`}
          <div class="essay-text">${v.text}</div>
        </section>
      </div>
      <${SubmitForm} assignment=${{ assignmentId: s.assignmentId }} submissionId=${s.submissionId} initialText=${s.text} />`;
  }}</${Async}>`;
}
