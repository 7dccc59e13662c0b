// Admin: the people of this AAIE instance: create accounts (teachers, students, admins),
// change a role, deactivate or reactivate, reset a password (a temporary one, shown once).
// Built on the admin-only user routes.
import { useState } from "../vendor/htm-preact/standalone.module.js";
import { get, post, put } from "./api.js";
import { html, Async, useAsync, setTitle, fmtDate, Badge, ErrorBox } from "./ui.js";

function newPassword() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, "").slice(0, 16);
}

export function People() {
  setTitle("People");
  const state = useAsync(() => get("/api/users?limit=200"), []);
  const [created, setCreated] = useState(null);
  const [reset, setReset] = useState(null);
  const [error, setError] = useState(null);

  async function create(event) {
    event.preventDefault();
    const f = event.target.elements;
    const password = f.password.value || newPassword();
    setError(null);
    try {
      // A password the admin hands over is temporary: the user picks their own at first sign-in.
      await post("/api/auth/register", {
        email: f.email.value, password, role: f.role.value, must_change_password: true,
      });
      setCreated({ email: f.email.value, role: f.role.value, password });
      event.target.reset();
      state.reload(true);
    } catch (e) { setError(e); }
  }
  async function resetPassword(user) {
    if (!confirm(`Reset the password of ${user.email}? Their current password and sessions stop working at once.`)) return;
    setError(null);
    setReset(null);
    try {
      const done = await post(`/api/users/${user.user_id}/password-reset`);
      setReset(done);
      state.reload(true);
    } catch (e) { setError(e); }
  }
  async function change(user, body) {
    setError(null);
    try { await put(`/api/users/${user.user_id}`, body); state.reload(true); } catch (e) { setError(e); }
  }

  return html`<h1>People</h1>
    <form class="card" onSubmit=${create} aria-labelledby="new-person">
      <h2 id="new-person" style="margin-top:0">Create an account</h2>
      <div class="grid2">
        <div class="field"><label for="person-email">E-mail</label><input id="person-email" name="email" type="email" required /></div>
        <div class="field"><label for="person-role">Role</label>
          <select id="person-role" name="role"><option value="teacher">Teacher</option><option value="student">Student</option><option value="admin">Admin</option></select></div>
        <div class="field"><label for="person-password">Password <span class="hint">empty = a random one, shown once</span></label>
          <input id="person-password" name="password" type="text" minlength="12" autocomplete="new-password" /></div>
      </div>
      <button class="primary" type="submit">Create account</button>
      ${created && html`<p class="success" role="status">Created ${created.role} ${created.email}; password <code>${created.password}</code> (shown once; they choose their own at their first sign-in).</p>`}
    </form>
    <${ErrorBox} error=${error} />
    ${reset && html`<p class="success" role="status">New temporary password for ${reset.email}: <code>${reset.temporary_password}</code> (shown once; they choose their own at their next sign-in).</p>`}
    <${Async} state=${state}>${(page) => html`<div class="table-wrap"><table class="responsive people-table">
      <thead><tr><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Since</th><th scope="col">Actions</th></tr></thead>
      <tbody>${page.items.map((u) => html`<tr key=${u.user_id}>
        <td data-label="E-mail">${u.email} ${!u.is_active && html`<${Badge} kind="error">deactivated</${Badge}>`}
          ${u.must_change_password && html`<${Badge}>temporary password</${Badge}>`}</td>
        <td data-label="Role"><label class="sr-only" for=${`role-${u.user_id}`}>Role of ${u.email}</label>
          <select id=${`role-${u.user_id}`} value=${u.role} onChange=${(e) => change(u, { role: e.target.value })}>
            <option value="student">Student</option><option value="teacher">Teacher</option><option value="admin">Admin</option></select></td>
        <td data-label="Since">${fmtDate(u.created_at, false)}</td>
        <td data-label="Actions"><div class="actions">
          <button type="button" onClick=${() => change(u, { is_active: !u.is_active })}>
            ${u.is_active ? "Deactivate" : "Reactivate"}<span class="sr-only"> ${u.email}</span></button>
          <button type="button" onClick=${() => resetPassword(u)}>Reset password<span class="sr-only"> of ${u.email}</span></button>
        </div></td>
      </tr>`)}</tbody></table></div>`}</${Async}>`;
}
