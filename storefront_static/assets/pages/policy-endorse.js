// "Change contact details" on the policy page: a new phone and/or e-mail makes a new policy version.
import {api} from "../api.js";
import {goToSignIn, requireSession} from "../session.js";
import {$, clearFieldErrors, day, h, hideAlert, param, setBusy, showError, showFieldErrors} from "../ui.js";

const session = requireSession();
const policyNo = param("no");
const box = () => $("#endorse-policy");

function history(p) {
  const items = (p.endorsements || []).map((e) => h("li", {
    text: `Version ${e.version}, effective ${day(e.effective_date)}: ` +
      Object.entries(e.changes).map(([f, c]) => `${f.replace("policyholder.", "")} ${Array.isArray(c.to) ? "updated" : `now ${c.to}`}`).join("; "),
  }));
  return items.length ? [h("h3", {text: "Changes to this policy"}), h("ul", {id: "endorsement-history"}, items)] : [];
}

function field(id, name, label, type, autocomplete) {
  return h("div", {class: "field", "data-field": `contact.${name}`},
    h("label", {for: id, text: label}),
    h("input", {id, name, type, autocomplete}));
}

function render(p) {
  const form = h("form", {id: "endorse-form", novalidate: ""},
    h("h2", {id: "endorse-heading", tabindex: "-1", text: "Change contact details"}),
    h("p", {class: "muted", text: `Policy version ${p.version}. Leave a field empty to keep it as it is.`}),
    field("endorse-phone", "phone", "New mobile number", "tel", "tel"),
    field("endorse-email", "email", "New e-mail", "email", "email"),
    h("p", {}, h("button", {type: "submit", id: "endorse-submit", text: "Save changes"})),
    ...history(p));
  form.addEventListener("submit", (e) => { e.preventDefault(); submit(form, $("#endorse-submit")); });
  box().replaceChildren(form);
}

// The page's People section was drawn before the change; show the new (masked) contact there too.
function refreshPolicyholder(holder) {
  const heading = [...document.querySelectorAll("#policy h3")].find((e) => e.textContent === "Policyholder");
  const line = heading?.nextElementSibling?.querySelector("li .muted");
  if (line) line.textContent = [holder.id_number ? "ID " + holder.id_number : null, holder.phone, holder.email].filter(Boolean).join(" · ");
}

async function submit(form, button) {
  clearFieldErrors(form);
  hideAlert($("#endorse-alert"));
  const contact = {};
  for (const name of ["phone", "email"]) {
    const value = form.elements[name].value.trim();
    if (value) contact[name] = value;
  }
  if (!Object.keys(contact).length) {
    showFieldErrors(form, {"contact.phone": "Enter a new mobile number or e-mail"});
    return;
  }
  setBusy(button, true, "Saving…");
  try {
    await api(`/policies/${encodeURIComponent(policyNo)}/endorsements`, {method: "POST", body: {contact}});
    const p = await api(`/policies/${encodeURIComponent(policyNo)}`);
    render(p);
    refreshPolicyholder(p.policyholder);
    $("#endorse-heading").focus();
  } catch (err) {
    setBusy(button, false);
    if (err.status === 401) return goToSignIn();
    const rest = err.status === 422 ? showFieldErrors(form, err.fields) : null;
    if (!rest || Object.keys(rest).length) showError($("#endorse-alert"), err, () => submit(form, button));
  }
}

async function load() {
  try {
    const main = $("#policy");
    if (!main.childElementCount) {
      await new Promise((resolve) => new MutationObserver((_, o) => { o.disconnect(); resolve(); }).observe(main, {childList: true}));
    }
    const p = await api(`/policies/${encodeURIComponent(policyNo)}`);
    if (p.status === "in_force") render(p);
  } catch {
    // the page's main module reports a policy it cannot load
  }
}

if (session && policyNo) load();
