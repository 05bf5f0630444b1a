import {api} from "../api.js";
import {getSession, safeNext, saveSession} from "../session.js";
import {$, clearFieldErrors, h, hideAlert, param, setBusy, showError, showFieldErrors} from "../ui.js";

const next = safeNext(param("next"));
const form = $("#form");
const alert = $("#alert");
$("#other").href = "signup.html?next=" + encodeURIComponent(next);
if (getSession()) location.replace(next);
if (next !== "index.html") form.before(h("p", {class: "alert info", text: "Please sign in to continue."}));

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  hideAlert(alert);
  const email = form.email.value.trim();
  const password = form.password.value;
  const problems = {};
  if (!email) problems.email = "Enter your e-mail address";
  if (!password) problems.password = "Enter your password";
  if (Object.keys(problems).length) return void showFieldErrors(form, problems);
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true, "Signing in…");
  try {
    const data = await api("/members/signin", {method: "POST", body: {email, password}});
    saveSession(data.tokens, email.toLowerCase());
    location.replace(next);
  } catch (err) {
    setBusy(button, false);
    showError(alert, err, () => form.requestSubmit());
    showFieldErrors(form, err.fields);
    if (err.status === 401) form.password.focus();
  }
});
