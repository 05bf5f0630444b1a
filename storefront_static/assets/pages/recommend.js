// Needs questionnaire -> POST /recommendations -> ranked products with the reasons and an estimated premium.
import {api} from "../api.js";
import {productUrl} from "../cards.js";
import {$, clearFieldErrors, h, hideAlert, list, price, setBusy, showError, showFieldErrors} from "../ui.js";

const KEY = "insuremall.needs";
const form = $("#needs-form");
const alert = $("#form-alert");

function read() {
  const data = new FormData(form);
  const age = String(data.get("age") || "").trim();
  return {
    age: /^\d{1,3}$/.test(age) ? Number(age) : age,
    gender: data.get("gender") || "",
    family: {spouse: data.has("spouse"), children: Number(data.get("children")), parents_over_60: data.has("parents_over_60")},
    annual_budget: String(data.get("annual_budget")),
    concerns: data.getAll("concerns"),
    existing_cover: data.getAll("existing_cover"),
    occupation_class: Number(data.get("occupation_class")),
  };
}

function fill(a) {
  if (!a) return;
  form.elements.age.value = a.age ?? "";
  for (const el of form.querySelectorAll("input[name=gender]")) el.checked = el.value === a.gender;
  form.elements.spouse.checked = Boolean(a.family?.spouse);
  form.elements.parents_over_60.checked = Boolean(a.family?.parents_over_60);
  form.elements.children.value = String(Math.min(3, a.family?.children || 0));
  form.elements.annual_budget.value = a.annual_budget || "3000";
  form.elements.occupation_class.value = String(a.occupation_class || 1);
  for (const name of ["concerns", "existing_cover"]) {
    for (const el of form.querySelectorAll(`input[name=${name}]`)) el.checked = (a[name] || []).includes(el.value);
  }
}

function problems(a) {
  const p = {};
  if (a.age === "") p.age = "Enter your age";
  else if (typeof a.age !== "number" || a.age > 100) p.age = "Enter your age in whole years, from 0 to 100";
  if (!a.gender) p.gender = "Choose female or male";
  return p;
}

function item(r, i, answers) {
  const p = r.product;
  const est = r.estimated_premium;
  // The product page opens with the calculator already set to this estimate.
  const extra = est ? `&plan=${encodeURIComponent(est.plan)}&term=${encodeURIComponent(est.term)}&age=${answers.age}&gender=${answers.gender}` : "";
  const url = productUrl(p.product_id, extra);
  return h("li", {class: "card"},
    h("h3", {}, h("span", {class: "rank", "aria-hidden": "true", text: String(i + 1)}),
      h("a", {href: url}, h("span", {class: "sr-only", text: `Number ${i + 1}: `}), p.name)),
    h("p", {class: "muted", text: `${p.insurer_name || ""}${p.summary ? " · " + p.summary : ""}`}),
    est ? h("p", {class: "from"}, "Estimated ", h("strong", {text: price(est.total)}), ` ${est.per || ""}`,
      h("span", {class: "hint", text: ` (${est.plan_name || est.plan} plan, ${String(est.term_label || est.term).toLowerCase()})`})) : null,
    h("p", {class: "score", text: `Why we suggest it (match ${r.score} of 100):`}),
    list(r.reasons, "reasons"),
    h("a", {class: "button small secondary", href: url, text: "See cover and exact price"}));
}

// Cover for a child: the product opens with the calculator at the youngest age it insures.
function childItem(c) {
  const p = c.product;
  const est = c.estimated_premium;
  const url = productUrl(p.product_id, `&plan=${encodeURIComponent(est.plan)}&term=${encodeURIComponent(est.term)}&age=${c.ages.min}`);
  return h("li", {class: "card"},
    h("h3", {}, h("a", {href: url, text: p.name})),
    h("p", {class: "muted", text: `${p.insurer_name || ""}${p.summary ? " · " + p.summary : ""}`}),
    h("p", {class: "from"}, "From ", h("strong", {text: price(est.total)}), ` ${est.per || ""} for one child`),
    list(c.reasons, "reasons"),
    h("a", {class: "button small secondary", href: url, text: "See cover for a child"}));
}

function showChildren(children) {
  const section = $("#children-results");
  section.hidden = !children;
  if (!children) return;
  $("#children-note").textContent = children.note;
  $("#children-ranked").replaceChildren(...children.recommendations.map(childItem));
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  hideAlert(alert);
  const answers = read();
  const bad = problems(answers);
  if (Object.keys(bad).length) return void showFieldErrors(form, bad);
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true, "Finding your cover…");
  try {
    const data = await api("/recommendations", {method: "POST", body: answers});
    try { localStorage.setItem(KEY, JSON.stringify(answers)); } catch { /* only a convenience */ }
    const recs = data.recommendations || [];
    $("#ranked").replaceChildren(...recs.map((r, i) => item(r, i, answers)));
    $("#results-note").textContent = recs.length
      ? `${recs.length} product${recs.length === 1 ? "" : "s"}, best match first. Estimates are for one person; the product page gives the exact price.`
      : "None of our products fits these answers. Try a larger budget or other concerns.";
    showChildren(data.for_children);
    const results = $("#results");
    results.hidden = false;
    results.focus();
    results.scrollIntoView({block: "start"});
  } catch (err) {
    showError(alert, err, () => form.requestSubmit());
    const rest = showFieldErrors(form, err.fields, (k) => (k.startsWith("family.") && k !== "family.children" ? "family" : k));
    if (Object.keys(rest).length) alert.append(list(Object.values(rest)));
  } finally {
    setBusy(button, false);
  }
});

try { fill(JSON.parse(localStorage.getItem(KEY) || "null")); } catch { /* start empty */ }
