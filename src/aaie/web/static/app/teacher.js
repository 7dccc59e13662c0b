// Teacher and admin views: assignments, the assignment editor with its rubric builder, the class
// table and chart, the roster, the batch upload, the submission view, and my students.
import { useState, useEffect, useMemo, useRef } from "../vendor/htm-preact/standalone.module.js";
import { get, post, put, patch, del, upload, ApiError } from "./api.js";
import {
  html, Async, useAsync, setTitle, dueText, fmtDate, Badge, pct, conf, STATUS_WORDS, EVAL_WORDS,
  navigate, ErrorBox, slug,
} from "./ui.js";
import { Feedback, RubricLabels, notScoredWords } from "./student.js";
import { diffWords } from "./diff.js";
import { unzip } from "./zip.js";

const LABELS = ["Excellent", "Good", "Fair", "Poor"];
const BUILTIN = ["Structure", "Clarity", "Relevance", "AcademicWriting"];

// --- assignments ---------------------------------------------------------------------------

export function Assignments() {
  setTitle("Assignments");
  const state = useAsync(() => get("/api/assignments?limit=200"), []);
  return html`
    <div class="page-head">
      <h1>Assignments</h1>
      <div class="actions"><a class="button primary" href="/app/assignments/new">New assignment</a></div>
    </div>
    <${Async} state=${state}>${(page) => page.items.length === 0
      ? html`<p class="card">No assignments yet. <a href="/app/assignments/new">Create the first one</a>.</p>`
      : html`<div class="table-wrap"><table class="responsive">
          <caption class="sr-only">Your assignments</caption>
          <thead><tr><th scope="col">Title</th><th scope="col">Due</th><th scope="col" class="num">Submissions</th><th scope="col">Settings</th></tr></thead>
          <tbody>${page.items.map((a) => html`<tr key=${a.assignmentId}>
            <td data-label="Title"><a href=${`/app/assignments/${a.assignmentId}`}>${a.title}</a>
              ${a.prompt_id && html` <span class="muted small">${a.prompt_id}</span>`}</td>
            <td data-label="Due">${dueText(a.due_at)}</td>
            <td data-label="Submissions" class="num">${a.submission_count}</td>
            <td data-label="Settings" class="small">${settingsWords(a)}</td>
          </tr>`)}</tbody></table></div>`}
    </${Async}>`;
}

function settingsWords(a) {
  const p = a.params || {};
  const rubric = p.rubric && typeof p.rubric === "object" ? `custom rubric (${a.rubric_criteria.length})` : "built-in rubric";
  return [rubric, p.mode === "async" ? "evaluated in the background" : null,
    p.future_scoring ? "AI score and highlights shown" : null].filter(Boolean).join(" · ");
}

function toLocalInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const z = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${z(d.getMonth() + 1)}-${z(d.getDate())}T${z(d.getHours())}:${z(d.getMinutes())}`;
}

export function AssignmentEditor({ assignment, onSaved }) {
  const editing = !!assignment;
  if (!editing) setTitle("New assignment");
  const p = (assignment && assignment.params) || {};
  const custom = p.rubric && typeof p.rubric === "object" ? p.rubric.criteria : null;
  const [rubricKind, setRubricKind] = useState(custom ? "custom" : "builtin");
  const [criteria, setCriteria] = useState(custom || [{ name: "", description: "", bands: {} }]);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const setCriterion = (i, change) => setCriteria(criteria.map((c, k) => (k === i ? { ...c, ...change } : c)));

  async function save(event) {
    event.preventDefault();
    const f = event.target.elements;
    setError(null); setSaved(false);
    const params = {
      mode: f.mode.value,
      future_scoring: f.future_scoring.checked,
      calibrate_rubric: f.calibrate_rubric.checked,
    };
    if (f.similarity_flag_pct.value !== "") params.similarity_flag_pct = Number(f.similarity_flag_pct.value);
    if (rubricKind === "custom") {
      params.rubric = {
        criteria: criteria.filter((c) => c.name.trim()).map((c) => {
          const bands = Object.fromEntries(LABELS.filter((l) => (c.bands || {})[l]).map((l) => [l, c.bands[l]]));
          return { name: c.name.trim(), description: c.description || "", ...(Object.keys(bands).length ? { bands } : {}) };
        }),
      };
      if (!params.rubric.criteria.length) return setError(new Error("Give the custom rubric at least one criterion."));
    } else params.rubric = "t2";
    const body = {
      title: f.title.value,
      prompt_id: f.prompt_id.value.trim() || null,
      prompt_text: f.prompt_text.value.trim() || null,
      due_at: f.due_at.value ? new Date(f.due_at.value).toISOString() : null,
      params,
    };
    setBusy(true);
    try {
      if (editing) {
        await put(`/api/assignments/${assignment.assignmentId}`, body);
        setSaved(true);
        onSaved && onSaved();
      } else {
        const made = await post("/api/assignments", body);
        // A custom rubric: first say, right there, how AAIE will score each criterion.
        navigate(`/app/assignments/${made.assignmentId}/${made.rubric_check ? "edit" : "roster"}?new=1`);
      }
    } catch (e) {
      setError(e instanceof ApiError && e.details ? new Error(`${e.message} ${detailWords(e.details)}`) : e);
    } finally {
      setBusy(false);
    }
  }

  return html`
    ${!editing && html`<h1>New assignment</h1>`}
    <form class="card" onSubmit=${save} aria-label=${editing ? "Assignment settings" : "New assignment"}>
      <div class="grid2">
        <div class="field"><label for="title">Title</label>
          <input id="title" name="title" type="text" required maxlength="200" defaultValue=${assignment?.title || ""} /></div>
        <div class="field"><label for="prompt_id">Prompt id <span class="hint">optional, e.g. P001</span></label>
          <input id="prompt_id" name="prompt_id" type="text" maxlength="64" defaultValue=${assignment?.prompt_id || ""} /></div>
      </div>
      <div class="field"><label for="prompt_text">Prompt <span class="hint">the task as students read it; relevance and feedback are judged against it</span></label>
        <textarea id="prompt_text" name="prompt_text" maxlength="20000">${assignment?.prompt_text || ""}</textarea></div>
      <div class="grid2">
        <div class="field"><label for="due_at">Due <span class="hint">your local time; empty = no due date</span></label>
          <input id="due_at" name="due_at" type="datetime-local" defaultValue=${toLocalInput(assignment?.due_at)} /></div>
        <div class="field"><label for="similarity_flag_pct">Similarity flag at (%) <span class="hint">empty = the instance default</span></label>
          <input id="similarity_flag_pct" name="similarity_flag_pct" type="number" min="0" max="100" step="1" defaultValue=${p.similarity_flag_pct ?? ""} /></div>
      </div>
      <fieldset><legend>Evaluation</legend>
        <label class="check"><input type="radio" name="mode" value="sync" defaultChecked=${p.mode !== "async"} />
          <span>Right away <span class="hint">the student waits a few seconds and sees feedback at once</span></span></label>
        <label class="check"><input type="radio" name="mode" value="async" defaultChecked=${p.mode === "async"} />
          <span>In the background <span class="hint">for big classes and batch uploads; results appear when ready</span></span></label>
        <label class="check"><input type="checkbox" name="future_scoring" defaultChecked=${!!p.future_scoring} />
          <span>Show me the AI score, similarity and highlights <span class="hint">(future scoring; students never see them)</span></span></label>
        <label class="check"><input type="checkbox" name="calibrate_rubric" defaultChecked=${p.calibrate_rubric !== false} />
          <span>Follow my grading <span class="hint">once I grade five essays, rubric scores move onto my scale</span></span></label>
      </fieldset>
      <fieldset><legend>Rubric</legend>
        <label class="check"><input type="radio" name="rubric_kind" checked=${rubricKind === "builtin"} onChange=${() => setRubricKind("builtin")} />
          <span>Built-in: ${BUILTIN.join(", ")}</span></label>
        <label class="check"><input type="radio" name="rubric_kind" checked=${rubricKind === "custom"} onChange=${() => setRubricKind("custom")} />
          <span>My own criteria</span></label>
        ${rubricKind === "custom" && html`<div class="stack">
          ${criteria.map((c, i) => html`<fieldset key=${i} class="criterion">
            <legend>Criterion ${i + 1}</legend>
            <div class="grid2">
              <div class="field"><label for=${`crit-name-${i}`}>Name</label>
                <input id=${`crit-name-${i}`} type="text" maxlength="80" value=${c.name} onInput=${(e) => setCriterion(i, { name: e.target.value })} /></div>
              <div class="field"><label for=${`crit-desc-${i}`}>What it means</label>
                <input id=${`crit-desc-${i}`} type="text" maxlength="2000" value=${c.description || ""} onInput=${(e) => setCriterion(i, { description: e.target.value })} /></div>
            </div>
            <div class="grid2">${LABELS.map((l) => html`<div class="field" key=${l}>
              <label for=${`crit-${i}-${l}`}>${l} <span class="hint">optional</span></label>
              <input id=${`crit-${i}-${l}`} type="text" value=${(c.bands || {})[l] || ""}
                onInput=${(e) => setCriterion(i, { bands: { ...(c.bands || {}), [l]: e.target.value } })} /></div>`)}</div>
            ${criteria.length > 1 && html`<button type="button" class="danger" onClick=${() => setCriteria(criteria.filter((_, k) => k !== i))}>Remove criterion ${i + 1}</button>`}
          </fieldset>`)}
          ${criteria.length < 12 && html`<p><button type="button" onClick=${() => setCriteria([...criteria, { name: "", description: "", bands: {} }])}>Add a criterion</button></p>`}
        </div>`}
      </fieldset>
      <${ErrorBox} error=${error} />
      ${saved && html`<p class="success" role="status">Saved. Existing evaluations are not re-run.</p>`}
      ${editing && assignment.rubric_check && html`<${RubricCheck} check=${assignment.rubric_check}
        created=${new URLSearchParams(location.search).has("new")} id=${assignment.assignmentId} />`}
      <p><button class="primary" type="submit" disabled=${busy}>${editing ? "Save changes" : "Create assignment"}</button></p>
    </form>`;
}

// How AAIE scores each criterion of a custom rubric (the API's rubric_check), said when it is
// saved: which criteria it scores and from which built-in ones, which it cannot and why.
function RubricCheck({ check, created, id }) {
  const blend = (weights) => Object.entries(weights || {}).sort((a, b) => b[1] - a[1])
    .map(([name, w]) => `${name} ${Math.round(w * 100)} %`).join(", ");
  const scored = check.filter((c) => c.scorable).length;
  const panel = useRef(null);
  // Just created: the form opens at the top, the answer is below it; bring it into view.
  useEffect(() => { if (created && panel.current && panel.current.scrollIntoView) panel.current.scrollIntoView({ block: "center" }); }, []);
  return html`<section ref=${panel} class="notice rubric-check-panel" role="status" aria-labelledby="rubric-check-h">
    ${created && html`<p><strong>Assignment created.</strong> Next: <a href=${`/app/assignments/${id}/roster`}>enrol students</a>.</p>`}
    <h3 id="rubric-check-h" style="margin:.2rem 0">How AAIE will score your criteria</h3>
    <p class="small">${scored} of ${check.length} criteria can be scored by AAIE's built-in scorer.
      A custom criterion is scored less surely than a built-in one: each essay shows its own confidence.</p>
    <ul class="rubric-check">${check.map((c) => html`<li key=${c.name}>
      <strong>${c.name}</strong>: ${c.scorable
        ? html`<${Badge} kind="done">Scored</${Badge}> from the closest built-in criteria: ${blend(c.scored_from)}.`
        : html`<${Badge} kind="not-scored">Not scored</${Badge}> ${notScoredWords(c.how)}`}
    </li>`)}</ul>
  </section>`;
}

function detailWords(details) {
  if (!Array.isArray(details)) return "";
  return details.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
}

// --- one assignment: class table, roster, batch upload, settings -----------------------------

export function AssignmentPage({ id, tab }) {
  const state = useAsync(() => get(`/api/assignments/${id}`), [id]);
  return html`<${Async} state=${state}>${(a) => {
    setTitle(a.title);
    const tabs = [["class", "Class", ""], ["roster", "Roster", "/roster"], ["batch", "Batch upload", "/batch"], ["edit", "Settings", "/edit"]];
    return html`
      <p><a href="/app">← Assignments</a></p>
      <div class="page-head"><div>
        <h1>${a.title}</h1>
        <p class="muted">${dueText(a.due_at)} · ${a.submission_count} submission${a.submission_count === 1 ? "" : "s"} · ${settingsWords(a)}</p>
      </div></div>
      <nav class="tabs" aria-label="Assignment">
        ${tabs.map(([key, label, suffix]) => html`<a href=${`/app/assignments/${id}${suffix}`} aria-current=${tab === key ? "page" : undefined}>${label}</a>`)}
      </nav>
      ${tab === "class" && html`<${ClassView} assignment=${a} />`}
      ${tab === "roster" && html`<${RosterView} assignment=${a} />`}
      ${tab === "batch" && html`<${BatchView} assignment=${a} />`}
      ${tab === "edit" && html`<${AssignmentEditor} assignment=${a} onSaved=${() => state.reload(true)} />`}`;
  }}</${Async}>`;
}

const FILTERS = {
  all: ["Everyone", () => true],
  flagged: ["Flagged (similarity)", (r) => r.submission && r.submission.flagged],
  ai: ["Labelled AI or Hybrid", (r) => r.submission && ["AI", "Hybrid"].includes(r.submission.label)],
  follow: ["Needs follow-up", (r) => r.submission && r.submission.status === "needs_follow_up"],
  unreviewed: ["Not reviewed yet", (r) => r.submission && r.submission.status === "submitted"],
  missing: ["Not yet submitted", (r) => !r.submission],
};
const COLUMNS = [
  ["student", "Student", (r) => (r.name || r.email || "").toLowerCase()],
  ["version", "Version", (r) => r.submission ? Number(r.submission.version.slice(1)) : -1],
  ["status", "Status", (r) => r.submission ? r.submission.status : "~"],
  ["label", "Label", (r) => r.submission ? `${r.submission.label || "~"}${1 - (r.submission.confidence || 0)}` : "~~"],
  ["ai", "AI score", (r) => r.submission?.ai_score ?? -1],
  ["similarity", "Similarity", (r) => r.submission?.similarity_pct ?? -1],
  ["rubric", "Rubric", (r) => rubricMean(r.submission)],
  ["submitted", "Submitted", (r) => r.submission?.submitted_at || ""],
];
function rubricMean(sub) {
  const v = Object.values((sub && sub.rubric) || {}).map((l) => 4 - LABELS.indexOf(l)).filter((x) => x <= 4);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : -1;
}

function ClassView({ assignment }) {
  const id = assignment.assignmentId;
  const state = useAsync(() => get(`/api/assignments/${id}/roster`), [id]);
  const [filter, setFilter] = useState("all");
  const [query, setQuery] = useState("");
  const [sort, setSort] = useState(["student", 1]);
  const data = state.data;
  useEffect(() => {
    const pending = data && data.items.some((r) => r.submission && ["queued", "running"].includes(r.submission.evaluation_status));
    if (!pending) return;
    const t = setTimeout(() => state.reload(true), 2500);
    return () => clearTimeout(t);
  }, [data]);
  const rows = useMemo(() => {
    if (!data) return [];
    const q = query.trim().toLowerCase();
    const key = COLUMNS.find((c) => c[0] === sort[0])[2];
    return data.items
      .filter(FILTERS[filter][1])
      .filter((r) => !q || `${r.name || ""} ${r.email || ""}`.toLowerCase().includes(q))
      .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * sort[1]);
  }, [data, filter, query, sort]);

  return html`<${Async} state=${state}>${(t) => t.items.length === 0
    ? html`<p class="card">Nobody is on this assignment yet. <a href=${`/app/assignments/${id}/roster`}>Enrol students</a> or wait for submissions.</p>`
    : html`
      <${ClassChart} table=${t} />
      <div class="toolbar" role="search">
        <label for="class-search">Search<input id="class-search" type="search" placeholder="Name or e-mail" value=${query} onInput=${(e) => setQuery(e.target.value)} /></label>
        <label for="class-filter">Show<select id="class-filter" value=${filter} onChange=${(e) => setFilter(e.target.value)}>
          ${Object.entries(FILTERS).map(([k, [label]]) => html`<option value=${k}>${label}</option>`)}</select></label>
        <p class="muted small" role="status" style="margin:0 0 .5rem">${rows.length} of ${t.items.length} students</p>
      </div>
      ${!t.future_scoring && html`<p class="muted small">AI score, similarity and the similarity flag are shown when "Show me the AI score, similarity and highlights" is on in Settings.</p>`}
      <div class="table-wrap"><table class="responsive class-table">
        <caption class="sr-only">Class table; column buttons sort it</caption>
        <thead><tr>${COLUMNS.map(([key, label]) => html`<th scope="col" aria-sort=${sort[0] === key ? (sort[1] > 0 ? "ascending" : "descending") : undefined}
          class=${["ai", "similarity"].includes(key) ? "num" : ""}>
          <button type="button" onClick=${() => setSort([key, sort[0] === key ? -sort[1] : 1])}>${label}${sort[0] === key ? (sort[1] > 0 ? " ▲" : " ▼") : ""}</button></th>`)}</tr></thead>
        <tbody>${rows.map((r) => html`<${ClassRow} key=${r.student_id} row=${r} />`)}</tbody>
      </table></div>`}</${Async}>`;
}

function ClassRow({ row }) {
  const s = row.submission;
  const who = html`<strong>${row.name || row.email}</strong>${row.name && html`<br /><span class="small muted">${row.email}</span>`}
    ${!row.enrolled && html` <span class="small muted">(not on the roster)</span>`}`;
  if (!s) {
    return html`<tr><td data-label="Student">${who}</td><td colspan="7" data-label="Submission"><span class="muted">Not yet submitted</span></td></tr>`;
  }
  const evaluating = s.evaluation_status !== "done";
  return html`<tr>
    <td data-label="Student"><a href=${`/app/submissions/${s.submissionId}`}>${who}</a></td>
    <td data-label="Version">${s.version}</td>
    <td data-label="Status"><${Badge} kind=${s.status}>${STATUS_WORDS[s.status]}</${Badge}></td>
    <td data-label="Label">${evaluating ? html`<${Badge} kind=${s.evaluation_status}>${EVAL_WORDS[s.evaluation_status]}</${Badge}>`
      : s.not_judged && (!s.label || s.label === "Human")
        ? html`<${Badge} kind="not-judged"><span title=${s.not_judged}>Not judged</span></${Badge}><span class="sr-only"> ${s.not_judged}</span>`
        : html`<${Badge} kind=${s.label}>${s.label || "—"}</${Badge}> <span class="small">${conf(s.confidence)}</span>`}</td>
    <td data-label="AI score" class="num">${s.ai_score == null || s.not_judged ? "—" : Math.round(s.ai_score)}</td>
    <td data-label="Similarity" class="num">${pct(s.similarity_pct)} ${s.flagged ? html`<${Badge} kind="flag">Flagged</${Badge}>` : ""}</td>
    <td data-label="Rubric"><span class="chips">${Object.entries(s.rubric || {}).map(([k, v]) => v
      ? html`<${Badge} kind=${v} key=${k}><span title=${k}>${k.slice(0, 4)}</span>: ${v}</${Badge}>`
      : html`<${Badge} kind="not-scored" key=${k}><span title=${`${k}: ${notScoredWords((s.rubric_notes || {})[k])}`}>${k.slice(0, 4)}</span>: not scored</${Badge}>`)}</span></td>
    <td data-label="Submitted" class="nowrap">${fmtDate(s.submitted_at)}</td>
  </tr>`;
}

const BAND_COLORS = { Excellent: "#166534", Good: "#4ade80", Fair: "#f59e0b", Poor: "#b91c1c" };

function ClassChart({ table }) {
  const subs = table.items.map((r) => r.submission).filter((s) => s && s.evaluation_status === "done");
  const missing = table.items.filter((r) => !r.submission).length;
  const counts = { Human: 0, Hybrid: 0, AI: 0 };
  subs.forEach((s) => { if (s.label in counts) counts[s.label]++; });
  // A text the detector did not judge (another language, too short) has no AI score to count.
  const scores = subs.filter((s) => !s.not_judged).map((s) => s.ai_score).filter((x) => x != null);
  const criteria = [...new Set(subs.flatMap((s) => Object.keys(s.rubric || {})))];
  const W = 360, H = 150;
  let left;
  if (table.future_scoring && scores.length) {
    const bins = Array(10).fill(0);
    scores.forEach((x) => bins[Math.min(9, Math.floor(x / 10))]++);
    const max = Math.max(...bins, 1);
    left = html`<figure class="chart" style="margin:0">
      <figcaption><strong>AI score across the class</strong> <span class="small muted">(students per band of 10 points)</span></figcaption>
      <svg viewBox=${`0 0 ${W} ${H + 20}`} role="img" aria-label=${`AI scores: ${bins.map((b, i) => `${i * 10}-${i * 10 + 9}: ${b}`).join(", ")}`}>
        ${bins.map((b, i) => {
          const h = (b / max) * (H - 16), x = 8 + i * 35;
          return html`<g key=${i}><rect class="bar" x=${x} y=${H - h} width="30" height=${h} fill=${i >= 8 ? "#b91c1c" : i >= 5 ? "#f59e0b" : "#1d4ed8"} />
            ${b ? html`<text x=${x + 15} y=${H - h - 3} text-anchor="middle">${b}</text>` : null}
            <text x=${x + 15} y=${H + 14} text-anchor="middle">${i * 10}</text></g>`;
        })}
      </svg></figure>`;
  } else {
    const items = [["Human", counts.Human, "#166534"], ["Hybrid", counts.Hybrid, "#b45309"], ["AI", counts.AI, "#b91c1c"], ["Not yet submitted", missing, "#6b7280"]];
    const max = Math.max(...items.map((i) => i[1]), 1);
    left = html`<figure class="chart" style="margin:0">
      <figcaption><strong>Labels across the class</strong></figcaption>
      <svg viewBox=${`0 0 ${W} ${items.length * 30}`} role="img" aria-label=${items.map(([l, n]) => `${l}: ${n}`).join(", ")}>
        ${items.map(([label, n, color], i) => html`<g key=${label}>
          <text x="0" y=${i * 30 + 18}>${label}</text>
          <rect x="120" y=${i * 30 + 5} width=${(n / max) * (W - 160)} height="18" fill=${color} />
          <text x=${126 + (n / max) * (W - 160)} y=${i * 30 + 18}>${n}</text></g>`)}
      </svg></figure>`;
  }
  const right = criteria.length ? html`<figure class="chart" style="margin:0">
    <figcaption><strong>Rubric levels per criterion</strong></figcaption>
    <svg viewBox=${`0 0 ${W} ${criteria.length * 28 + 4}`} role="img"
      aria-label=${criteria.map((c) => `${c}: ${subs.every((s) => !s.rubric[c]) ? "not scored by AAIE" : LABELS.map((l) => `${subs.filter((s) => s.rubric[c] === l).length} ${l}`).join(", ")}`).join("; ")}>
      ${criteria.map((c, i) => {
        let x = 120;
        return html`<g key=${c}><text x="0" y=${i * 28 + 17}>${c.length > 18 ? c.slice(0, 17) + "…" : c}</text>
          ${LABELS.map((l) => {
            const n = subs.filter((s) => s.rubric[c] === l).length;
            const w = subs.length ? (n / subs.length) * (W - 125) : 0;
            const el = html`<rect key=${l} x=${x} y=${i * 28 + 4} width=${w} height="18" fill=${BAND_COLORS[l]} />`;
            x += w;
            return el;
          })}
          ${subs.length > 0 && subs.every((s) => !s.rubric[c]) && html`<text x="120" y=${i * 28 + 17} fill="#4b5563">not scored by AAIE</text>`}</g>`;
      })}
    </svg>
    <div class="legend-row">${LABELS.map((l) => html`<span key=${l}><span class="swatch" style=${`background:${BAND_COLORS[l]}`}></span>${l}</span>`)}</div>
  </figure>` : null;
  return html`<section class="card row" aria-label="Class overview">${left}${right}</section>`;
}

// --- roster --------------------------------------------------------------------------------

function RosterView({ assignment }) {
  const id = assignment.assignmentId;
  const state = useAsync(() => get(`/api/assignments/${id}/roster`), [id]);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const fresh = new URLSearchParams(location.search).get("new");

  async function run(fn) {
    setBusy(true); setError(null);
    try { setResult(await fn()); state.reload(true); } catch (e) { setError(e); } finally { setBusy(false); }
  }
  const unenrol = (row) => {
    if (!confirm(`Take ${row.name || row.email} off the roster? Work they handed in stays.`)) return;
    run(async () => { await del(`/api/assignments/${id}/roster/${row.student_id}`); return null; });
  };
  const byEmail = (event) => {
    event.preventDefault();
    const f = event.target.elements;
    run(() => post(`/api/assignments/${id}/roster`, { students: [{ email: f.email.value, name: f.name.value || null }] }))
      .then(() => event.target.reset());
  };
  const byCsv = (event) => {
    event.preventDefault();
    const file = event.target.elements.csv.files[0];
    if (!file) return setError(new Error("Choose a CSV file first."));
    run(() => upload(`/api/assignments/${id}/roster/csv`, file));
  };

  return html`
    ${fresh && html`<p class="success" role="status">Assignment created. Now enrol your students.</p>`}
    <div class="row">
      <form class="card" onSubmit=${byEmail} aria-labelledby="enrol-one">
        <h2 id="enrol-one" style="margin-top:0">Enrol one student</h2>
        <div class="field"><label for="enrol-email">E-mail</label><input id="enrol-email" name="email" type="email" required /></div>
        <div class="field"><label for="enrol-name">Name <span class="hint">optional</span></label><input id="enrol-name" name="name" type="text" /></div>
        <button class="primary" type="submit" disabled=${busy}>Enrol</button>
      </form>
      <form class="card" onSubmit=${byCsv} aria-labelledby="enrol-csv">
        <h2 id="enrol-csv" style="margin-top:0">Enrol from a CSV roster</h2>
        <p class="small muted">Two columns, <code>name</code> and <code>email</code> (a header row is optional). New e-mails get a student account.
          Once an assignment has a roster, only the students on it see it.</p>
        <div class="field"><label for="roster-file">CSV file</label><input id="roster-file" name="csv" type="file" accept=".csv,text/csv" /></div>
        <button class="primary" type="submit" disabled=${busy}>Upload roster</button>
      </form>
    </div>
    <${ErrorBox} error=${error} />
    ${result && html`<${EnrolResult} result=${result} />`}
    <h2>On the roster</h2>
    <${Async} state=${state}>${(t) => {
      const enrolled = t.items.filter((r) => r.enrolled);
      return enrolled.length === 0 ? html`<p class="muted">Nobody yet.</p>` : html`<div class="table-wrap"><table class="responsive roster-table">
        <thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Submitted</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
        <tbody>${enrolled.map((r) => html`<tr key=${r.student_id}><td data-label="Name">${r.name || "—"}</td><td data-label="E-mail">${r.email}</td>
          <td data-label="Submitted">${r.submission ? html`<a href=${`/app/submissions/${r.submission.submissionId}`}>${r.submission.version}, ${fmtDate(r.submission.submitted_at)}</a>` : "Not yet"}</td>
          <td><button type="button" class="link" onClick=${() => unenrol(r)}>Remove<span class="sr-only"> ${r.name || r.email} from the roster</span></button></td></tr>`)}</tbody>
      </table></div>`;
    }}</${Async}>`;
}

function EnrolResult({ result }) {
  return html`<section class="card" aria-labelledby="enrol-result" role="status">
    <h2 id="enrol-result" style="margin-top:0">Enrolled ${result.enrolled.length}${result.already.length ? `, ${result.already.length} already on the roster` : ""}${result.errors.length ? `, ${result.errors.length} not enrolled` : ""}</h2>
    ${result.created.length > 0 && html`
      <p><strong>New accounts.</strong> Give each student their temporary password now: it is shown only once.</p>
      <div class="table-wrap"><table class="created-accounts"><thead><tr><th scope="col">E-mail</th><th scope="col">Temporary password</th></tr></thead>
        <tbody>${result.created.map((c) => html`<tr key=${c.email}><td>${c.email}</td><td><code>${c.temporary_password}</code></td></tr>`)}</tbody></table></div>`}
    ${result.errors.length > 0 && html`<h3>Not enrolled</h3><ul class="roster-errors">
      ${result.errors.map((e, i) => html`<li key=${i}>${e.row ? `Row ${e.row}: ` : ""}${e.email ? `${e.email}: ` : ""}${e.message}</li>`)}</ul>`}
  </section>`;
}

// --- batch upload --------------------------------------------------------------------------

const ACCEPTED = /\.(txt|md|docx|pdf)$/i;

function matchStudent(filename, roster) {
  const base = filename.replace(/\.[^.]+$/, "").toLowerCase();
  const words = slug(base);
  let best = null;
  for (const r of roster) {
    const email = (r.email || "").toLowerCase();
    const local = email.split("@")[0];
    const name = slug(r.name || "");
    if (base.includes(email) || (local && (words.includes(slug(local)) || base.includes(local)))) return r;
    if (name && name !== "x" && words.includes(name)) best = best || r;
  }
  return best;
}

function BatchView({ assignment }) {
  const id = assignment.assignmentId;
  const [rows, setRows] = useState([]);
  const [running, setRunning] = useState(false);
  const [over, setOver] = useState(false);
  const input = useRef(null);

  const update = (i, change) => setRows((rs) => rs.map((r, k) => (k === i ? { ...r, ...change } : r)));

  async function start(fileList) {
    const roster = (await get(`/api/assignments/${id}/roster`)).items;
    let entries = [];
    for (const f of fileList) {
      if (/\.zip$/i.test(f.name)) {
        try {
          for (const e of await unzip(f)) entries.push({ name: e.name, read: e.read });
        } catch (err) {
          entries.push({ name: f.name, error: `This zip could not be read: ${err.message}` });
        }
      } else entries.push({ name: f.name, read: async () => f });
    }
    const planned = entries.map((e) => {
      const student = matchStudent(e.name, roster);
      let error = e.error || null;
      if (!error && !ACCEPTED.test(e.name)) error = "Not a .txt, .md, .docx or .pdf file.";
      if (!error && !student) error = "No student on the roster matches this file name.";
      return { name: e.name, read: e.read, student, state: error ? "error" : "waiting", message: error };
    });
    setRows(planned);
    setRunning(true);
    let next = 0;
    const worker = async () => {
      while (next < planned.length) {
        const i = next++;
        const row = planned[i];
        if (row.state === "error") continue;
        try {
          update(i, { state: "uploading", message: "Uploading" });
          const file = await row.read();
          const stored = await upload("/api/files", file);
          update(i, { state: "evaluating", message: "Evaluating" });
          const sid = row.student.submission?.submissionId;
          const done = sid
            ? await post(`/api/submissions/${sid}/resubmit`, { file_ref: stored.fileId })
            : await post(`/api/assignments/${id}/submit`, { file_ref: stored.fileId, student_id: row.student.student_id });
          update(i, { submissionId: done.submissionId, version: done.version });
          if (done.evaluation_status === "queued" || done.status === "queued") await waitDone(done.submissionId);
          update(i, { state: "done", message: `Evaluated (${done.version})` });
        } catch (e) {
          update(i, { state: "error", message: e.message });
        }
      }
    };
    await Promise.all([worker(), worker()]);
    setRunning(false);
  }

  async function waitDone(sid) {
    for (let k = 0; k < 300; k++) {
      const s = await get(`/api/submissions/${sid}`);
      if (s.evaluation_status === "done") return;
      if (s.evaluation_status === "failed") throw new Error(s.error || "The evaluation failed.");
      await new Promise((r) => setTimeout(r, 1500));
    }
    throw new Error("Still evaluating; see the class table later.");
  }

  const finished = rows.filter((r) => r.state === "done" || r.state === "error").length;
  return html`
    <section class="card" aria-labelledby="batch-h">
      <h2 id="batch-h" style="margin-top:0">Upload many essays at once</h2>
      <p class="small muted">Drop a .zip or several .txt, .md, .docx or .pdf files. Each file is matched to a student on the roster
        by the e-mail address, the part before the @, or the name in its file name (e.g. <code>amy.archer.docx</code>).
        A file that cannot be used is reported on its own row; the others still go in.</p>
      <div class=${`dropzone ${over ? "over" : ""}`}
        onDragOver=${(e) => { e.preventDefault(); setOver(true); }} onDragLeave=${() => setOver(false)}
        onDrop=${(e) => { e.preventDefault(); setOver(false); if (!running) start([...e.dataTransfer.files]); }}>
        <p>Drop files here, or</p>
        <label for="batch-files" class="button">Choose files</label>
        <input id="batch-files" ref=${input} type="file" multiple accept=".zip,.txt,.md,.docx,.pdf" class="sr-only"
          disabled=${running} onChange=${(e) => start([...e.target.files])} />
      </div>
    </section>
    ${rows.length > 0 && html`<section class="card" aria-labelledby="batch-progress-h">
      <h2 id="batch-progress-h" style="margin-top:0">Progress</h2>
      <label for="batch-progress">${finished} of ${rows.length} files done</label>
      <progress id="batch-progress" class="progress" max=${rows.length} value=${finished}></progress>
      <div class="table-wrap" style="margin-top:.75rem"><table class="responsive batch-table">
        <thead><tr><th scope="col">File</th><th scope="col">Student</th><th scope="col">Result</th></tr></thead>
        <tbody>${rows.map((r, i) => html`<tr key=${i} class=${`batch-${r.state}`}>
          <td data-label="File">${r.name}</td>
          <td data-label="Student">${r.student ? r.student.name || r.student.email : "—"}</td>
          <td data-label="Result"><${Badge} kind=${r.state === "done" ? "done" : r.state === "error" ? "error" : "running"}>${r.state === "error" ? "Not submitted" : r.state === "done" ? "Done" : "Working"}</${Badge}>
            ${" "}${r.message}${r.submissionId && r.state === "done" ? html` · <a href=${`/app/submissions/${r.submissionId}`}>open</a>` : ""}</td>
        </tr>`)}</tbody></table></div>
    </section>`}`;
}

// --- the submission view -------------------------------------------------------------------

const KIND_WORDS = {
  ai: ["Reads as AI-written", "sentences the detector scores as likely machine-written"],
  prompt_overlap: ["Repeats the prompt", "text that restates the assignment prompt"],
  chat_overlap: ["From the student's AI chat", "text that matches an AI answer in the chat log the student handed in"],
};

function chatTurnOf(span) {
  const m = /^chat:(\d+):(\w+)/.exec(span.source || "");
  return m ? { turn: Number(m[1]), how: m[2] } : null;
}

function Essay({ text, spans, onFocusTurn, activeTurn }) {
  const parts = [];
  let at = 0;
  (spans || []).forEach((s, i) => {
    if (s.start > at) parts.push(text.slice(at, s.start));
    const chat = s.kind === "chat_overlap" ? chatTurnOf(s) : null;
    const label = chat
      ? `From AI turn ${chat.turn + 1} of the chat log (${chat.how})`
      : KIND_WORDS[s.kind][0];
    parts.push(html`<mark key=${i} class=${`hl-${s.kind} ${chat && chat.turn === activeTurn ? "active" : ""}`}
      tabindex=${chat ? 0 : undefined} title=${label}
      data-turn=${chat ? chat.turn : undefined}
      onMouseEnter=${chat ? () => onFocusTurn(chat.turn) : undefined}
      onFocus=${chat ? () => onFocusTurn(chat.turn) : undefined}>${text.slice(s.start, s.end)}<span class="sr-only"> (${label})</span></mark>`);
    at = s.end;
  });
  parts.push(text.slice(at));
  return html`<div class="essay-text" id="essay-text">${parts}</div>`;
}

function Legend({ spans }) {
  const kinds = [...new Set((spans || []).map((s) => s.kind))];
  if (!kinds.length) return html`<p class="small muted">Nothing in this essay is highlighted.</p>`;
  return html`<ul class="legend-row" aria-label="What the colours mean" style="list-style:none;padding:0">
    ${kinds.map((k) => html`<li key=${k}><span class=${`swatch sw-${k}`}></span><strong>${KIND_WORDS[k][0]}</strong>: ${KIND_WORDS[k][1]}</li>`)}
  </ul>`;
}

function Verdict({ evaluation, details }) {
  const cls = (evaluation && evaluation.classification) || {};
  const d = (details && details.classification) || {};
  const score = evaluation && evaluation.ai_score;
  const fprScore = d.fpr_at_score ?? score?.fpr_at_score;
  const fprThreshold = d.fpr_at_threshold ?? score?.fpr_at_threshold;
  const threshold = d.threshold ?? score?.threshold;
  const fprHeldOut = d.fpr_held_out ?? score?.fpr_held_out;
  const [shownScore, shownThreshold] = scoreAgainstThreshold((score && score.ai_score) ?? d.ai_score ?? 0, threshold);
  // Not judged (another language, too little text): the label is a default, not a verdict;
  // only evidence from the chat log can still label the text.
  const fromChat = d.not_judged && cls.label && cls.label !== "Human";
  const words = {
    Human: "reads as written by the student",
    Hybrid: "mixes the student's own writing with AI-written or AI-sourced passages",
    AI: "reads as mostly AI-written",
  }[cls.label] || "has no verdict yet";
  const population = d.fpr_population_words || "human essays";
  return html`<section class="card verdict-card" aria-labelledby="verdict-h">
    <h2 id="verdict-h" style="margin-top:0">Verdict</h2>
    ${d.not_judged && !fromChat
      ? html`<p class="verdict not-judged">${d.not_judged}</p>
          <p>No Human, AI or Hybrid verdict is given, and no score is shown: the detector's numbers mean nothing here.</p>`
      : html`<p class="verdict"><${Badge} kind=${cls.label}>${cls.label || "—"}</${Badge}> This essay ${words}${fromChat ? ", from the chat log the student handed in" : ""}.</p>
          ${fromChat && html`<p class="notice not-judged">${d.not_judged} The label comes from the chat log only.</p>`}
          <p>Confidence: <strong>${conf(cls.confidence)}</strong>.</p>
          ${!d.not_judged && (d.ai_score != null || score) ? html`<p>AI score <strong>${shownScore}</strong> out of 100.</p>` : null}
          ${!d.not_judged && (fprThreshold != null || fprScore != null) && html`<p class="fpr">${fprThreshold != null
            ? html`At this threshold (${shownThreshold}), ${fprPct(fprThreshold)} of the ${population} we tested were labelled AI${fprScore != null ? html`; ${fprPct(fprScore)} of them scored as high as this essay` : ""}.`
            : html`${fprPct(fprScore)} of the ${population} we tested scored as high as this essay.`}</p>`}
          ${!d.not_judged && fprHeldOut != null && html`<p class="fpr-held-out">From sources AAIE was not trained on, <strong>${fprPct(fprHeldOut)}</strong> of the ${population} were labelled AI or Hybrid: expect about that on writing of this kind from elsewhere.</p>`}`}
    ${(d.reasons || []).length > 0 && !(d.not_judged && !fromChat) && html`<h3>Why</h3><ul class="reasons">${d.reasons.map((r, i) => html`<li key=${i}>${r}</li>`)}</ul>`}
    <p class="small muted">A verdict is evidence for a conversation with the student, not proof.</p>
  </section>`;
}

// The score and the threshold side by side: one decimal, or as many more as it takes for the
// shown numbers to fall on the same side as the real ones (as engine/explain.py does).
function scoreAgainstThreshold(score, threshold) {
  if (threshold == null) return [Number(score).toFixed(1), null];
  let shown = [];
  for (const digits of [1, 2, 3]) {
    shown = [Number(score).toFixed(digits), Number(threshold).toFixed(digits)];
    if ((Number(shown[0]) >= Number(shown[1])) === (score >= threshold)) break;
  }
  return shown;
}

// A measured rate as a person says it: "0.4 %" (one decimal; "under 0.1 %" rather than 0).
function fprPct(x) {
  const v = 100 * x;
  return v > 0 && v < 0.05 ? "under 0.1 %" : `${v.toFixed(1)} %`;
}

function RubricEvidence({ details, fallback, notes, criteria }) {
  const rows = (details && details.rubric) || [];
  if (!rows.length) return html`<${RubricLabels} rubric=${fallback} notes=${notes} criteria=${criteria} />`;
  return html`<div class="stack rubric-evidence">${rows.map((c) => {
    // The reason is said once, in words; the engine's own "Not scored" line is not repeated.
    const evidence = (c.evidence || []).filter((e) => !(c.label == null && c.reason && e.includes(c.reason)));
    return html`<div key=${c.name} class="criterion-evidence">
      <h3 style="margin:.4rem 0 .2rem">${c.name} ${c.label
        ? html`<${Badge} kind=${c.label}>${c.label}</${Badge}>
          ${c.score != null && html` <span class="small muted">score ${c.score.toFixed(2)}</span>`}
          ${c.confidence != null && html` <span class="small muted">· confidence ${conf(c.confidence)}</span>`}`
        : html`<${Badge} kind="not-scored">Not scored</${Badge}>`}</h3>
      ${c.label == null && html`<p class="not-scored small">${notScoredWords(c.reason || (notes || {})[c.name])}</p>`}
      <ul class="small">${evidence.map((e, i) => html`<li key=${i}>${e}</li>`)}</ul></div>`;
  })}</div>`;
}

function StatusPanel({ sub, onDone }) {
  const [note, setNote] = useState(sub.status_note || "");
  const [msg, setMsg] = useState(null);
  const [error, setError] = useState(null);
  async function set(status) {
    setError(null);
    try {
      await patch(`/api/submissions/${sub.submissionId}/status`, { status, note: note || null });
      setMsg(`Marked "${STATUS_WORDS[status]}".`);
      onDone();
    } catch (e) { setError(e); }
  }
  return html`<section class="card" aria-labelledby="status-h">
    <h2 id="status-h" style="margin-top:0">Review</h2>
    <p>Now: <${Badge} kind=${sub.status}>${STATUS_WORDS[sub.status]}</${Badge}>
      ${sub.status_at && html` <span class="small muted">since ${fmtDate(sub.status_at)}</span>`}</p>
    <div class="field"><label for="status-note">Note <span class="hint">for you and other staff; never shown to the student</span></label>
      <textarea id="status-note" value=${note} maxlength="2000" onInput=${(e) => setNote(e.target.value)}></textarea></div>
    <div class="toolbar">
      ${["reviewed", "needs_follow_up", "archived"].map((s) => html`<button type="button" key=${s} aria-pressed=${sub.status === s ? "true" : "false"} onClick=${() => set(s)}>${STATUS_WORDS[s]}</button>`)}
    </div>
    ${msg && html`<p class="success" role="status">${msg}</p>`}
    <${ErrorBox} error=${error} />
  </section>`;
}

function GradesPanel({ sub, criteria, onDone }) {
  const toLabel = (x) => (typeof x === "number" ? (x >= 0.75 ? "Excellent" : x >= 0.5 ? "Good" : x >= 0.25 ? "Fair" : "Poor") : x || "");
  const fields = [...criteria, "overall"];
  const [grades, setGrades] = useState(() => Object.fromEntries(fields.map((c) => [c, toLabel((sub.teacher_scores || {})[c])])));
  const [msg, setMsg] = useState(null);
  const [error, setError] = useState(null);
  async function save(event) {
    event.preventDefault();
    const scores = Object.fromEntries(Object.entries(grades).filter(([, v]) => v));
    setError(null);
    try {
      if (!Object.keys(scores).length) throw new Error("Choose at least one level.");
      await put(`/api/submissions/${sub.submissionId}/teacher-scores`, { scores });
      setMsg("Your grades are saved. After five graded essays, scores follow your scale.");
      onDone();
    } catch (e) { setError(e); }
  }
  return html`<form class="card" onSubmit=${save} aria-labelledby="grades-h">
    <h2 id="grades-h" style="margin-top:0">Your grades</h2>
    <p class="small muted">Optional. Teacher-only; they teach AAIE your scale for this assignment.</p>
    <div class="grid2">${fields.map((c) => html`<div class="field" key=${c}>
      <label for=${`grade-${c}`}>${c === "overall" ? "Overall" : c}</label>
      <select id=${`grade-${c}`} value=${grades[c]} onChange=${(e) => setGrades({ ...grades, [c]: e.target.value })}>
        <option value="">—</option>${LABELS.map((l) => html`<option value=${l}>${l}</option>`)}
      </select></div>`)}</div>
    <button type="submit">Save grades</button>
    ${msg && html`<p class="success" role="status">${msg}</p>`}
    <${ErrorBox} error=${error} />
  </form>`;
}

function VersionDiff({ versions }) {
  const [a, setA] = useState(versions[versions.length - 2].version);
  const [b, setB] = useState(versions[versions.length - 1].version);
  const va = versions.find((v) => v.version === a), vb = versions.find((v) => v.version === b);
  const parts = useMemo(() => diffWords(va.text, vb.text), [a, b]);
  return html`<section class="card" aria-labelledby="diff-h">
    <h2 id="diff-h" style="margin-top:0">What changed between versions</h2>
    <div class="toolbar">
      <label for="diff-a">From<select id="diff-a" value=${a} onChange=${(e) => setA(e.target.value)}>${versions.map((v) => html`<option value=${v.version}>${v.version}</option>`)}</select></label>
      <label for="diff-b">To<select id="diff-b" value=${b} onChange=${(e) => setB(e.target.value)}>${versions.map((v) => html`<option value=${v.version}>${v.version}</option>`)}</select></label>
      <span class="legend-row"><span><ins class="diff">added</ins></span> <span><del class="diff">removed</del></span></span>
    </div>
    <div class="essay-text diff">${parts.map((p, i) => p.op === "same" ? p.text : p.op === "ins" ? html`<ins key=${i}>${p.text}</ins>` : html`<del key=${i}>${p.text}</del>`)}</div>
  </section>`;
}

export function SubmissionPage({ id }) {
  const state = useAsync(() => get(`/api/submissions/${id}`), [id]);
  const [pick, setPick] = useState(null);
  const [turn, setTurn] = useState(null);
  const sub = state.data;
  useEffect(() => {
    if (!sub || !["queued", "running"].includes(sub.evaluation_status)) return;
    const t = setTimeout(() => state.reload(true), 2000);
    return () => clearTimeout(t);
  }, [sub]);
  useEffect(() => {
    if (turn == null) return;
    const el = document.getElementById(`chat-turn-${turn}`);
    if (el && el.scrollIntoView) el.scrollIntoView({ block: "nearest" });
  }, [turn]);
  return html`<${Async} state=${state}>${(s) => {
    const who = s.student_email || "the student";
    setTitle(`${who}: ${s.assignment_title}`);
    const v = s.versions.find((x) => x.version === (pick || s.version)) || s.versions[s.versions.length - 1];
    const ev = v.evaluation;
    const spans = (ev && ev.highlights && ev.highlights.spans) || null;
    const sim = ev && ev.similarity;
    const criteria = Object.keys((ev && ev.rubric) || {});
    const file = `${slug(who.split("@")[0])}-${slug(s.assignment_title)}-${v.version}`;
    return html`
      <p><a href=${`/app/assignments/${s.assignmentId}`}>← ${s.assignment_title}</a></p>
      <div class="page-head">
        <div><h1>${who}</h1><p class="muted">${s.assignment_title} · ${s.versions.length} version${s.versions.length > 1 ? "s" : ""} · last sent ${fmtDate(s.updated_at)}</p></div>
        <div class="actions">
          <a class="button" id="download-pdf" href=${`/api/submissions/${s.submissionId}/download?format=pdf`} download=${`${file}.pdf`}>Download PDF report</a>
          <a class="button" href=${`/api/submissions/${s.submissionId}/download?format=zip`} download=${`${file}.zip`}>Download zip</a>
        </div>
      </div>
      <div class="toolbar">
        <label for="version">Version<select id="version" value=${v.version} onChange=${(e) => setPick(e.target.value)}>
          ${s.versions.map((x) => html`<option value=${x.version}>${x.version} — ${fmtDate(x.created_at)}</option>`)}</select></label>
        <span><${Badge} kind=${v.evaluation_status}>${EVAL_WORDS[v.evaluation_status]}</${Badge}></span>
      </div>
      ${v.evaluation_status === "failed" && html`<p class="error">The evaluation failed: ${v.error}</p>`}
      <div class="split">
        <div>
          <${Verdict} evaluation=${ev} details=${v.evaluation_details} />
          <section class="card" aria-labelledby="essay-h">
            <h2 id="essay-h" style="margin-top:0">The essay</h2>
            ${spans ? html`<${Legend} spans=${spans} />` : html`<p class="small muted">Highlights appear when "Show me the AI score, similarity and highlights" is on for this assignment.</p>`}
            ${sim && html`<p class="small">Similarity: <strong>${pct(sim.similarity_pct)}</strong> of the essay overlaps the prompt (${pct(sim.prompt_pct)}) or the AI's chat answers (${pct(sim.chat_pct)}).
              ${sim.flag ? html` <${Badge} kind="flag">Flagged</${Badge}> at or above the ${pct(sim.threshold)} threshold.` : ""}</p>`}
            ${v.file && html`<p class="small muted">From the file ${v.file.filename}</p>`}
            <${Essay} text=${v.text} spans=${spans} onFocusTurn=${setTurn} activeTurn=${turn} />
          </section>
          <section class="card" aria-labelledby="fb-h">
            <h2 id="fb-h" style="margin-top:0">Feedback, as the student sees it</h2>
            <${Feedback} evaluation=${ev} status=${v.evaluation_status} />
          </section>
          <section class="card" aria-labelledby="rubric-h">
            <h2 id="rubric-h" style="margin-top:0">Rubric and evidence</h2>
            <${RubricEvidence} details=${v.evaluation_details} fallback=${ev && ev.rubric} notes=${v.rubric_notes} />
          </section>
          ${s.versions.length > 1 && html`<${VersionDiff} versions=${s.versions} />`}
        </div>
        <div class="sticky stack">
          <${ChatPanel} chat=${v.chat_log} spans=${spans} active=${turn} />
          <${StatusPanel} sub=${s} onDone=${() => state.reload(true)} />
          ${criteria.length > 0 && html`<${GradesPanel} sub=${s} criteria=${criteria} onDone=${() => state.reload(true)} />`}
        </div>
      </div>`;
  }}</${Async}>`;
}

function ChatPanel({ chat, spans, active }) {
  if (!chat || !chat.length) return html`<section class="card"><h2 style="margin-top:0">AI chat log</h2><p class="muted small">The student handed in no chat log.</p></section>`;
  const used = new Set((spans || []).map(chatTurnOf).filter(Boolean).map((c) => c.turn));
  return html`<section class="card chat-panel" aria-labelledby="chat-h" aria-live="polite">
    <h2 id="chat-h" style="margin-top:0">AI chat log</h2>
    <p class="small muted">Hover over or tab to a pink passage in the essay to see the turn it came from.</p>
    ${chat.map((t, i) => html`<div key=${i} id=${`chat-turn-${i}`} class=${`chat-turn ${t.role} ${active === i ? "active" : ""}`}>
      <span class="who">Turn ${i + 1} · ${t.role === "ai" ? "AI" : "Student"}${used.has(i) ? " · used in the essay" : ""}</span>${t.text}</div>`)}
  </section>`;
}

// --- my students ---------------------------------------------------------------------------

export function Students() {
  setTitle("Students");
  const state = useAsync(async () => {
    const [students, assignments] = await Promise.all([get("/api/students"), get("/api/assignments?limit=200")]);
    const titles = Object.fromEntries(assignments.items.map((a) => [a.assignmentId, a.title]));
    return { students: students.items, titles };
  }, []);
  // A forgotten password: the teacher who created the account (or an admin) gives a new
  // temporary one, shown once; the student chooses their own at their next sign-in.
  const [reset, setReset] = useState(null);
  const [error, setError] = useState(null);
  async function resetPassword(student) {
    if (!confirm(`Reset the password of ${student.email}? Their current password stops working at once.`)) return;
    setError(null);
    setReset(null);
    try { setReset(await post(`/api/users/${student.student_id}/password-reset`)); } catch (e) { setError(e); }
  }
  return html`<h1>My students</h1>
    <${ErrorBox} error=${error} />
    ${reset && html`<p class="success" role="status">New temporary password for ${reset.email}: <code>${reset.temporary_password}</code> (shown once; they choose their own at their next sign-in).</p>`}
    <${Async} state=${state}>${({ students, titles }) => students.length === 0
      ? html`<p class="card">No students yet: enrol them on an assignment's Roster tab.</p>`
      : html`<div class="table-wrap"><table class="responsive students-table">
        <thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Assignments</th><th scope="col">Password</th></tr></thead>
        <tbody>${students.map((s) => html`<tr key=${s.student_id}>
          <td data-label="Name">${s.name || "—"}${!s.is_active && html` <${Badge}>deactivated</${Badge}>`}</td>
          <td data-label="E-mail">${s.email}</td>
          <td data-label="Assignments">${s.assignment_ids.map((a, i) => html`${i ? ", " : ""}<a href=${`/app/assignments/${a}`}>${titles[a] || a}</a>`)}</td>
          <td data-label="Password">${s.can_reset_password
            ? html`<button type="button" onClick=${() => resetPassword(s)}>Reset password<span class="sr-only"> of ${s.email}</span></button>`
            : html`<span class="muted small">ask an admin</span>`}</td>
        </tr>`)}</tbody></table></div>`}</${Async}>`;
}
