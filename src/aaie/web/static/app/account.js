// Every role: change your own password (POST /api/auth/password). After it every session of
// this user ends, this one too, so the page sends them to sign in with the new password.
// With a temporary password (`must_change_password`) this is the only page until it is done.
import { useState } from "../vendor/htm-preact/standalone.module.js";
import { me, post } from "./api.js";
import { html, setTitle, ErrorBox } from "./ui.js";

const MIN_LENGTH = 12;

export function ChangePassword({ forced = false }) {
  setTitle("Change password");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    const f = event.target.elements;
    setError(null);
    if (f.new_password.value !== f.confirm_password.value) {
      setError(new Error("The new password and its confirmation differ."));
      f.confirm_password.focus();
      return;
    }
    setBusy(true);
    try {
      await post("/api/auth/password", {
        current_password: f.current_password.value,
        new_password: f.new_password.value,
      });
      location.assign("/app/login?changed=1");
    } catch (e) {
      setBusy(false);
      setError(e);
    }
  }

  return html`<h1>Change password</h1>
    ${forced && html`<p class="notice" role="status">You signed in with a temporary password. Choose your own password to go on.</p>`}
    <form class="card stack narrow-form" onSubmit=${submit} aria-describedby="password-rules">
      <input type="text" name="username" autocomplete="username" value=${me.email} hidden readonly />
      <div class="field"><label for="current-password">Current password</label>
        <input id="current-password" name="current_password" type="password" autocomplete="current-password" required /></div>
      <div class="field"><label for="new-password">New password</label>
        <input id="new-password" name="new_password" type="password" autocomplete="new-password" minlength=${MIN_LENGTH} maxlength="1024" required /></div>
      <div class="field"><label for="confirm-password">New password again</label>
        <input id="confirm-password" name="confirm_password" type="password" autocomplete="new-password" minlength=${MIN_LENGTH} maxlength="1024" required /></div>
      <p class="hint" id="password-rules">At least ${MIN_LENGTH} characters. Afterwards you are signed out everywhere and sign in again with the new password.</p>
      <${ErrorBox} error=${error} />
      <div><button class="primary" type="submit" disabled=${busy}>Change password</button></div>
    </form>`;
}
