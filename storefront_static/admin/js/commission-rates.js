// Commission rates: the promotion-fee rates per product (and per category as the default), each from
// the day it takes effect. Operators type percentages; the API stores basis points (12.50 % = 1250 bp).
import {append, chinaToday, clearAlert, clearFieldErrors, day, empty, field, h, input, select, setBusy, setTitle, showAlert, showFieldErrors, when} from "./dom.js";
import {call, referenceData} from "./shared.js";
import {loadError, percent, toBasisPoints} from "./rewards.js";

const LEVELS = [
  ["level1_bp", "Level 1 (direct inviter)"],
  ["level2_bp", "Level 2 (inviter's inviter)"],
  ["renewal_level1_bp", "Renewal, level 1"],
  ["renewal_level2_bp", "Renewal, level 2"],
];
const MAX_BP = 5000;

// Rates are dated in China time, as the API checks "today or later".

// Per scope, the newest rate effective today is "in effect", later ones "scheduled", older "replaced".
function standing(rates, today) {
  const current = {};
  for (const r of rates) {
    const key = `${r.scope}:${r.scope_id}`;
    if (r.effective_from <= today && (!current[key] || current[key] < r.effective_from)) current[key] = r.effective_from;
  }
  return (r) => (r.effective_from > today ? "scheduled" : current[`${r.scope}:${r.scope_id}`] === r.effective_from ? "in_effect" : "replaced");
}
const STANDING = {in_effect: ["In effect", "live"], scheduled: ["Scheduled", "scheduled"], replaced: ["Replaced", "ended"]};

export async function render(view, _args, query) {
  setTitle("Commission rates");
  const head = h("div", {class: "page-head"}, h("div", {},
    h("h1", {text: "Commission rates"}),
    h("p", {class: "muted", text: "Promotion fees are a share of the premium the customer paid. A product's own rate wins; otherwise its category's rate applies; otherwise no fee is earned. A sale earns at the rate in effect on the day its policy is issued."})));
  append(view, head);
  const outcome = h("div", {"aria-live": "polite"});
  const listSlot = h("div");

  let ref, products;
  try {
    [ref, products] = await Promise.all([referenceData(), call("/admin/products").then((d) => d.products || [])]);
  } catch (err) {
    if (err.status === 401 || err.status === 403) return;
    append(view, loadError(err, "The catalog", () => location.reload()));
    return;
  }
  const productName = Object.fromEntries(products.map((p) => [p.product_id, p.name]));
  const categoryName = Object.fromEntries(ref.categories.map((c) => [c.category_id, c.name]));
  const scopeName = (r) => (r.scope === "product" ? productName[r.scope_id] : categoryName[r.scope_id]) || r.scope_id;

  // ---------- filter and list ----------
  const filter = select([["", "All products and categories"],
    ...ref.categories.map((c) => [`category:${c.category_id}`, `Category: ${c.name}`]),
    ...[...products].sort((a, b) => a.name.localeCompare(b.name)).map((p) => [`product:${p.product_id}`, `Product: ${p.name}`])],
  query.get("scope") || "", {name: "scope_filter"});

  async function loadList() {
    listSlot.setAttribute("aria-busy", "true");
    const [scope, id] = filter.value.split(":");
    const params = scope ? `?${scope}_id=${encodeURIComponent(id)}` : "";
    history.replaceState(null, "", "#/commission-rates" + (filter.value ? `?scope=${encodeURIComponent(filter.value)}` : ""));
    try {
      const data = await call(`/admin/commission-rates${params}`);
      listSlot.replaceChildren(rateTable(data.rates || []));
    } catch (err) {
      if (err.status === 401 || err.status === 403) return;
      listSlot.replaceChildren(loadError(err, "Commission rates", loadList));
    } finally {
      listSlot.removeAttribute("aria-busy");
    }
  }

  function rateTable(rates) {
    if (!rates.length) return empty(filter.value ? "No rate for this product or category yet: its sales earn no promotion fee (unless its category has a rate)." : "No commission rates yet. Add the first one below.");
    const today = chinaToday();
    const of = standing(rates, today);
    const sorted = [...rates].sort((a, b) => scopeName(a).localeCompare(scopeName(b)) || b.effective_from.localeCompare(a.effective_from));
    return h("div", {class: "table-wrap"}, h("table", {class: "list"},
      h("caption", {class: "sr-only", text: "Commission rates by product and category, newest first"}),
      h("thead", {}, h("tr", {}, ["Applies to", "From", "Level 1", "Level 2", "Renewal L1", "Renewal L2", "Added"]
        .map((t, i) => h("th", {scope: "col", class: i >= 2 && i <= 5 ? "num" : null, text: t})))),
      h("tbody", {}, sorted.map((r) => {
        const [label, cls] = STANDING[of(r)];
        return h("tr", {class: of(r) === "in_effect" ? "current" : null},
          h("td", {}, h("strong", {text: scopeName(r)}), h("div", {class: "muted small"},
            r.scope === "product" ? "Product " : "Category (default) ", h("span", {class: "mono", text: r.scope_id}))),
          h("td", {class: "nowrap"}, day(r.effective_from), " ", h("span", {class: `badge ${cls}`, text: label})),
          h("td", {class: "num", text: percent(r.level1_bp)}),
          h("td", {class: "num", text: percent(r.level2_bp)}),
          h("td", {class: "num", text: percent(r.renewal_level1_bp)}),
          h("td", {class: "num", text: percent(r.renewal_level2_bp)}),
          h("td", {class: "small"}, when(r.created_at), h("div", {class: "muted mono", text: r.created_by || ""})));
      }))));
  }
  filter.addEventListener("change", loadList);

  // ---------- add a rate ----------
  const scope = select([["product", "A product"], ["category", "A category (default for its products)"]], "product", {name: "scope"});
  const productPick = select([["", "Choose a product"], ...[...products].sort((a, b) => a.name.localeCompare(b.name)).map((p) => [p.product_id, `${p.name} (${p.product_id})`])], "", {name: "product"});
  const categoryPick = select([["", "Choose a category"], ...ref.categories.map((c) => [c.category_id, c.name])], "", {name: "category"});
  const productField = field("Product", productPick, {path: "scope_id"});
  const categoryField = field("Category", categoryPick, {path: "scope_id_category"});
  const from = input({type: "date", name: "effective_from", value: chinaToday(), min: chinaToday(), required: true});
  const rates = Object.fromEntries(LEVELS.map(([name]) => [name, input({name, inputmode: "decimal", value: "0.00", autocomplete: "off", class: "short", required: true})]));
  const alert = h("div", {hidden: true});
  const save = h("button", {type: "submit", text: "Add rate"});
  const paintScope = () => {
    productField.hidden = scope.value !== "product";
    categoryField.hidden = scope.value !== "category";
  };
  scope.addEventListener("change", paintScope);
  paintScope();

  const form = h("form", {class: "card", novalidate: true, "aria-labelledby": "add-rate-heading"},
    h("h2", {id: "add-rate-heading", text: "Add a rate"}),
    h("p", {class: "muted small", text: "Percentages of the premium paid, with up to two decimals (12.5 means 12.50 %). Each level at most 50 %, both levels together at most 50 %. A rate from a future day can be replaced until that day; a rate already in effect cannot."}),
    h("div", {class: "grid cols-3"},
      field("Applies to", scope, {path: "scope"}), productField, categoryField,
      field("Effective from (China time)", from, {path: "effective_from", hint: "Today or later"})),
    h("fieldset", {class: "plain"}, h("legend", {text: "Rates, in percent of the premium"}),
      h("div", {class: "grid cols-4"}, LEVELS.map(([name, label]) => field(`${label}, %`, rates[name], {path: name})))),
    alert,
    h("div", {class: "actions"}, save));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    clearAlert(alert);
    outcome.replaceChildren();
    const problems = {};
    const scopeId = scope.value === "product" ? productPick.value : categoryPick.value;
    if (!scopeId) problems[scope.value === "product" ? "scope_id" : "scope_id_category"] = `Choose the ${scope.value}`;
    if (!from.value) problems.effective_from = "Enter the day the rate takes effect";
    else if (from.value < chinaToday()) problems.effective_from = `Must be today (${chinaToday()}) or later`;
    const body = {scope: scope.value, scope_id: scopeId, effective_from: from.value};
    for (const [name, label] of LEVELS) {
      const bp = toBasisPoints(rates[name].value);
      if (bp === null) problems[name] = `${label}: enter a percentage such as 12.5 (at most two decimals)`;
      else if (bp > MAX_BP) problems[name] = `${label}: at most 50 %`;
      else body[name] = bp;
    }
    for (const [a, b] of [["level1_bp", "level2_bp"], ["renewal_level1_bp", "renewal_level2_bp"]]) {
      if (body[a] !== undefined && body[b] !== undefined && body[a] + body[b] > MAX_BP) problems[b] = "The two levels together must be at most 50 %";
    }
    if (Object.keys(problems).length) {
      showFieldErrors(form, problems);
      showAlert(alert, "Please correct the fields marked above.");
      return;
    }
    setBusy(save, true, "Adding…");
    try {
      const saved = await call("/admin/commission-rates", {method: "POST", body});
      const done = h("div", {class: "alert ok", role: "status", tabindex: "-1"},
        h("p", {}, h("strong", {text: `Rate added for ${scopeName(saved)}`}),
          ` from ${day(saved.effective_from)}: level 1 ${percent(saved.level1_bp)}, level 2 ${percent(saved.level2_bp)}, renewals ${percent(saved.renewal_level1_bp)} / ${percent(saved.renewal_level2_bp)}.`));
      outcome.replaceChildren(done);
      done.focus();
      await loadList();
    } catch (err) {
      if (err.status === 401 || err.status === 403) return;
      const fields = {...err.fields};
      // scope_id errors belong to whichever picker is showing.
      if (fields.scope_id && scope.value === "category") { fields.scope_id_category = fields.scope_id; delete fields.scope_id; }
      const rest = showFieldErrors(form, fields);
      if (err.status === 409) showAlert(alert, `Nothing was saved: ${err.message} Choose a later day.`);
      else if (err.status === 422) showAlert(alert, rest.length ? `Please correct: ${rest.map(([k, v]) => `${k} ${v}`).join("; ")}` : "Please correct the fields marked above.");
      else if (err.status && !err.network && err.status >= 400) showAlert(alert, loadError(err, "Adding commission rates").textContent);
      else showAlert(alert, err.message);
    } finally {
      setBusy(save, false);
    }
  });

  append(view, outcome,
    h("section", {"aria-labelledby": "rates-heading"},
      h("h2", {id: "rates-heading", text: "Rates"}),
      h("form", {class: "filters-bar", role: "search", onsubmit: (e) => e.preventDefault()}, field("Show rates of", filter)),
      listSlot),
    form);
  await loadList();
}
