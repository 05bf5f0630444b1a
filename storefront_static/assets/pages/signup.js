import {api} from "../api.js";
import {referrer, safeNext, saveSession} from "../session.js";
import {$, clearFieldErrors, h, hideAlert, param, setBusy, showError, showFieldErrors} from "../ui.js";

const next = safeNext(param("next"));
const form = $("#form");
const alert = $("#alert");
$("#other").href = "signin.html?next=" + encodeURIComponent(next);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  hideAlert(alert);
  const body = {name: form.name.value.trim(), email: form.email.value.trim(), password: form.password.value};
  const problems = {};
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.email)) problems.email = "Enter an e-mail address like name@example.com";
  if (body.password.length < 8 || !/[a-z]/.test(body.password) || !/\d/.test(body.password)) {
    problems.password = "Use at least 8 characters with lower-case letters and digits";
  }
  if (Object.keys(problems).length) return void showFieldErrors(form, problems);
  // Arrived through a member's shared link: sign up as their invitee (a stale code never blocks sign-up).
  if (referrer()) body.invite_code = referrer();
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true, "Creating account…");
  try {
    const data = await api("/members/signup", {method: "POST", body});
    saveSession(data.tokens, body.email.toLowerCase());
    location.replace(next);
  } catch (err) {
    setBusy(button, false);
    // An e-mail already registered is one point, said once: beside the e-mail, with the way to sign in.
    if (err.status === 409 && err.fields?.email) {
      showFieldErrors(form, {email: "An account with this e-mail already exists"});
      $("#err-email")?.append(" ", h("a", {href: $("#other").href, text: "Sign in instead"}), ".");
      return;
    }
    showError(alert, err, () => form.requestSubmit());
    showFieldErrors(form, err.fields);
  }
});
