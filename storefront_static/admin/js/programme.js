// Programme settings of distribution and rewards: the licence rule for cash promotion fees, the
// withdrawal minimum and automatic approval, and the points rules. Saved with the revision that was
// read, so two operators cannot overwrite each other's change unknowingly (409).
import {append, clearAlert, clearFieldErrors, field, h, input, setBusy, setTitle, showAlert, showFieldErrors, when} from "./dom.js";
import {call} from "./shared.js";
import {cents, loadError, toCents, yuanValue} from "./rewards.js";

// [key, label, kind ("cny" | "int" | "bool"), hint]
const GROUPS = [
  ["Compliance", [
    ["require_licence_for_cash", "Pay promotion fees in cash only to members with a verified agent licence", "bool", "Members without one earn points instead; each ledger entry records which rule applied."],
    ["fee_points_per_cny", "Points per CNY of promotion fee (when paid in points)", "int", "0 to 10,000"],
  ]],
  ["Withdrawals", [
    ["withdrawal_min_cents", "Minimum withdrawal (CNY)", "cny", "From CNY 1.00"],
    ["auto_approve_below_cents", "Approve automatically below (CNY)", "cny", "0 = every withdrawal waits for an operator"],
  ]],
  ["Points", [
    ["purchase_points_per_cny", "Points per CNY paid for a policy", "int", "Times the product's and any campaign's multiplier"],
    ["signin_points", "Points for the daily check-in", "int", null],
    ["invitation_points", "Points for a successful invitation", "int", null],
    ["points_per_cny_discount", "Points worth CNY 1 at checkout", "int", "e.g. 100 points = CNY 1 off"],
    ["max_points_discount_percent", "Largest points discount (% of the premium)", "int", "0 to 100"],
    ["points_expiry_days", "Points expire after (days)", "int", "1 to 3,650"],
  ]],
];
const LABEL = Object.fromEntries(GROUPS.flatMap(([, rows]) => rows.map(([k, label]) => [k, label])));

function shown(key, value) {
  if (key.endsWith("_cents")) return cents(value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (value && typeof value === "object") return Object.entries(value).map(([p, m]) => `${p} × ${m}`).join(", ") || "none";
  return String(value);
}

export async function render(view) {
  setTitle("Programme settings");
  append(view, h("h1", {text: "Programme settings"}),
    h("p", {class: "muted", text: "The rules of the distribution and rewards programme. Changes apply from the moment they are saved and are recorded in the audit trail."}));
  const outcome = h("div", {"aria-live": "polite"});
  const body = h("div");
  append(view, outcome, body);

  let products = [];
  try {
    products = [...((await call("/admin/products")).products || [])].sort((a, b) => a.name.localeCompare(b.name));
  } catch (err) {
    if (err.status === 401 || err.status === 403) return;
  }

  async function load({keepOutcome = false} = {}) {
    if (!keepOutcome) outcome.replaceChildren();
    body.setAttribute("aria-busy", "true");
    try {
      paint(await call("/admin/rewards/settings"));
    } catch (err) {
      if (err.status === 401 || err.status === 403) return;
      body.replaceChildren(loadError(err, "Programme settings", load));
    } finally {
      body.removeAttribute("aria-busy");
    }
  }

  function paint(settings) {
    const controls = {};
    const groups = GROUPS.map(([legend, rows]) => h("fieldset", {class: "card"}, h("legend", {text: legend}),
      h("div", {class: "grid cols-2"}, rows.map(([key, label, kind, hint]) => {
        if (kind === "bool") {
          const box = h("input", {type: "checkbox", name: key, id: `set-${key}`, checked: Boolean(settings[key]), "aria-describedby": hint ? `set-${key}-hint` : null});
          controls[key] = box;
          return h("div", {class: "field full", dataset: {field: key}},
            h("label", {class: "choice", for: box.id}, box, label), hint ? h("p", {class: "hint", id: `set-${key}-hint`, text: hint}) : null);
        }
        const control = input({name: key, inputmode: kind === "cny" ? "decimal" : "numeric", class: "short",
          value: kind === "cny" ? yuanValue(settings[key]) : String(settings[key] ?? "")});
        controls[key] = control;
        return field(label, control, {path: key, hint});
      }))));

    const multipliers = settings.product_points_multipliers || {};
    const multiplierInputs = products.map((p) => [p.product_id, input({name: `multiplier-${p.product_id}`, inputmode: "decimal", class: "short",
      value: multipliers[p.product_id] ?? "", placeholder: "1", "aria-label": `Points multiplier for ${p.name}`})]);
    const multiplierSet = h("fieldset", {class: "card", dataset: {field: "product_points_multipliers"}},
      h("legend", {text: "Points multiplier per product"}),
      h("p", {class: "hint", text: "0 to 10; empty means 1 (no change). A running campaign's multiplier applies on top."}),
      products.length ? h("div", {class: "table-wrap"}, h("table", {class: "list"},
        h("caption", {class: "sr-only", text: "Points multipliers per product"}),
        h("thead", {}, h("tr", {}, h("th", {scope: "col", text: "Product"}), h("th", {scope: "col", text: "Multiplier"}))),
        h("tbody", {}, multiplierInputs.map(([pid, el], i) => h("tr", {},
          h("th", {scope: "row"}, products[i].name, h("div", {class: "muted small mono", text: pid})), h("td", {}, el))))))
        : h("p", {class: "muted", text: "The product list could not be loaded; multipliers are kept as they are."}));

    const alert = h("div", {hidden: true});
    const save = h("button", {type: "submit", text: "Save settings"});
    const form = h("form", {novalidate: true, class: "settings-form"}, groups, multiplierSet, alert,
      h("div", {class: "save-bar"}, save,
        h("span", {class: "muted small", text: `Revision ${settings.revision}${settings.updated_at ? ` · saved ${when(settings.updated_at)}` : ""}`})));

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      clearAlert(alert);
      outcome.replaceChildren();
      const problems = {};
      const changes = {};
      for (const [, rows] of GROUPS) {
        for (const [key, , kind] of rows) {
          const el = controls[key];
          let value;
          if (kind === "bool") value = el.checked;
          else if (kind === "cny") {
            value = toCents(el.value);
            if (value === null) { problems[key] = "Enter an amount in CNY, e.g. 10 or 10.50"; continue; }
          } else {
            if (!/^\d+$/.test(el.value.trim())) { problems[key] = "Enter a whole number"; continue; }
            value = Number(el.value);
          }
          if (value !== settings[key]) changes[key] = value;
        }
      }
      if (products.length) {
        const next = {...multipliers};
        for (const [pid, el] of multiplierInputs) {
          const v = el.value.trim();
          if (!v) { delete next[pid]; continue; }
          if (!/^\d+(\.\d{1,2})?$/.test(v) || Number(v) > 10) { problems.product_points_multipliers = `${pid}: enter a number from 0 to 10`; el.setAttribute("aria-invalid", "true"); continue; }
          next[pid] = v;
        }
        if (JSON.stringify(Object.entries(next).sort()) !== JSON.stringify(Object.entries(multipliers).sort())) changes.product_points_multipliers = next;
      }
      if (Object.keys(problems).length) {
        showFieldErrors(form, problems);
        showAlert(alert, "Please correct the fields marked above.");
        return;
      }
      if (!Object.keys(changes).length) {
        showAlert(alert, "Nothing to save: no setting was changed.", "info");
        return;
      }
      setBusy(save, true, "Saving…");
      try {
        const saved = await call("/admin/rewards/settings", {method: "PUT", body: {...changes, revision: settings.revision}});
        paint(saved);
        const done = h("div", {class: "alert ok", role: "status", tabindex: "-1"},
          h("p", {}, h("strong", {text: "Settings saved."}), ` Revision ${saved.revision}.`),
          h("ul", {}, Object.keys(changes).map((k) => h("li", {text: `${LABEL[k] || "Points multipliers per product"}: ${shown(k, settings[k])} → ${shown(k, saved[k])}`}))));
        outcome.replaceChildren(done);
        done.focus();
      } catch (err) {
        if (err.status === 401 || err.status === 403) return;
        setBusy(save, false);
        if (err.status === 409) {
          const reload = h("button", {type: "button", class: "secondary", text: "Load the latest settings", onclick: () => load()});
          showAlert(alert, "Nothing was saved: another operator changed the settings after you opened them. Load the latest settings and make your change again.", "error",
            h("p", {text: `Your change: ${Object.keys(changes).map((k) => `${LABEL[k] || "multipliers"} → ${shown(k, changes[k])}`).join("; ")}.`}), reload);
          reload.focus();
          return;
        }
        const rest = showFieldErrors(form, err.fields);
        showAlert(alert, err.status === 422 ? (rest.length ? `Please correct: ${rest.map(([k, v]) => `${k.replace(/_/g, " ")} ${v}`).join("; ")}.` : "Please correct the fields marked above.")
          : loadError(err, "Saving programme settings").textContent);
      }
    });
    body.replaceChildren(form);
  }

  await load();
}
