// The app: one page, views chosen by the URL and the user's role.
import { html, render, useEffect } from "../vendor/htm-preact/standalone.module.js";
import { me } from "./api.js";
import { useLocation } from "./ui.js";
import * as teacher from "./teacher.js";
import * as student from "./student.js";
import { People } from "./admin.js";
import { ChangePassword } from "./account.js";

const staff = me.role === "teacher" || me.role === "admin";

function route(path) {
  let m;
  // A temporary password: nothing else until the user has chosen their own.
  if (me.must_change_password) return [ChangePassword, { forced: true }];
  if (path === "/app/password") return [ChangePassword];
  if (staff) {
    if (path === "/app" || path === "/app/" || path === "/app/assignments") return [teacher.Assignments];
    if (path === "/app/assignments/new") return [teacher.AssignmentEditor, {}];
    if ((m = path.match(/^\/app\/assignments\/([\w-]+)\/(edit|roster|batch)$/))) return [teacher.AssignmentPage, { id: m[1], tab: m[2] }];
    if ((m = path.match(/^\/app\/assignments\/([\w-]+)$/))) return [teacher.AssignmentPage, { id: m[1], tab: "class" }];
    if ((m = path.match(/^\/app\/submissions\/([\w-]+)$/))) return [teacher.SubmissionPage, { id: m[1] }];
    if (path === "/app/students") return [teacher.Students];
    if (path === "/app/people" && me.role === "admin") return [People];
  } else {
    if (path === "/app" || path === "/app/" || path === "/app/assignments") return [student.Home];
    if ((m = path.match(/^\/app\/assignments\/([\w-]+)$/))) return [student.AssignmentPage, { id: m[1] }];
    if ((m = path.match(/^\/app\/submissions\/([\w-]+)$/))) return [student.SubmissionPage, { id: m[1] }];
  }
  return [NotFound];
}

function NotFound() {
  return html`<h1>Page not found</h1><p><a href="/app">Back to the start</a></p>`;
}

function Nav({ path }) {
  const items = staff
    ? [["/app", "Assignments"], ["/app/assignments/new", "New assignment"], ["/app/students", "Students"],
      ...(me.role === "admin" ? [["/app/people", "People"]] : [])]
    : [["/app", "My assignments"]];
  const current = (href) =>
    href === "/app" ? path === "/app" || path.startsWith("/app/assignments/") && !path.endsWith("/new") || path.startsWith("/app/submissions") : path === href;
  return items.map(([href, label]) =>
    html`<a href=${href} aria-current=${current(href) ? "page" : undefined}>${label}</a>`);
}

function App() {
  const { path } = useLocation();
  const [View, props] = route(path);
  useEffect(() => {
    render(html`<${Nav} path=${path} />`, document.getElementById("nav"));
    const main = document.getElementById("main");
    if (document.activeElement && document.activeElement !== document.body && !main.contains(document.activeElement)) return;
  }, [path]);
  return html`<${View} key=${path} ...${props || {}} />`;
}

const main = document.getElementById("main");
main.textContent = "";
render(html`<${App} />`, main);
