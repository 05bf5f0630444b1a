import {api} from "../api.js";
import {$, clearFieldErrors, cny, day, h, hideAlert, list, money, param, setBusy, showError, showFieldErrors, when} from "../ui.js";

const productId = param("id");
const num = (n) => Number(n).toLocaleString("en-US");
const root = $("#product");

function field(key, ...children) {
  return h("div", {class: "field", "data-field": key}, ...children);
}

function choices(name, legend, items, {type = "radio", hint} = {}) {
  return h("fieldset", {"data-field": name},
    h("legend", {text: legend}),
    hint ? h("p", {class: "hint", text: hint}) : null,
    items.map((it, i) => h("label", {class: "choice"},
      h("input", {type, name, value: it.value, checked: type === "radio" && i === 0 && !it.noDefault}),
      h("span", {}, it.label, it.description ? h("span", {class: "hint", text: " — " + it.description}) : null))));
}

function plansTable(p) {
  const rows = [];
  const seen = new Map();
  for (const plan of p.plans) for (const c of plan.coverages || []) if (!seen.has(c.code)) seen.set(c.code, c.name);
  for (const [code, name] of seen) {
    rows.push(h("tr", {}, h("th", {scope: "row", text: name}), p.plans.map((plan) => {
      const c = (plan.coverages || []).find((x) => x.code === code);
      return h("td", {class: "num", text: c ? num(c.sum_insured) : "Not covered"});
    })));
  }
  return h("div", {class: "table-wrap", role: "region", "aria-label": "Plans and cover", tabindex: "0"},
    h("table", {},
      h("caption", {text: "Sums insured by plan, in CNY"}),
      h("thead", {}, h("tr", {}, h("th", {scope: "col", text: "Cover"}),
        p.plans.map((plan) => h("th", {scope: "col", class: "num", text: plan.name})))),
      h("tbody", {}, rows,
        h("tr", {}, h("th", {scope: "row", text: "Plan sum insured"}),
          p.plans.map((plan) => h("td", {class: "num", text: num(plan.sum_insured)}))))));
}

function quoteForm(p) {
  const limits = p.age_limits;
  const form = h("form", {class: "card", novalidate: true, "aria-labelledby": "quote-h"},
    h("h2", {id: "quote-h", text: "Get a quote"}),
    choices("plan", "Plan", p.plans.map((x) => ({value: x.code, label: /\d/.test(x.name) ? x.name : `${x.name} — cover up to ${cny(x.sum_insured)}`}))),
    field("age",
      h("label", {for: "age", text: "Age of the insured person"}),
      h("p", {class: "hint", id: "age-hint", text: `From ${limits.min} to ${limits.max}. Or give the date of birth instead.`}),
      h("input", {id: "age", name: "age", type: "number", inputmode: "numeric", min: String(limits.min),
        max: String(limits.max), "aria-describedby": "age-hint"})),
    field("birth_date",
      h("label", {for: "birth_date", text: "Or date of birth"}),
      h("input", {id: "birth_date", name: "birth_date", type: "date", autocomplete: "bday"})),
    choices("gender", "Gender of the insured person", [{value: "M", label: "Male", noDefault: true}, {value: "F", label: "Female"}]),
    field("term",
      h("label", {for: "term", text: "How long"}),
      h("select", {id: "term", name: "term"}, p.terms.map((t) => h("option", {value: t.code, text: t.label})))),
    p.options?.length
      ? choices("options", "Extra cover (optional)", p.options.map((o) => ({value: o.code, label: o.name, description: o.description})), {type: "checkbox"})
      : null,
    p.occupation_classes
      ? field("occupation_class",
        h("label", {for: "occupation_class", text: "Occupation class"}),
        h("p", {class: "hint", id: "occ-hint", text: `1 is office work, higher is more hazardous. Classes 1 to ${p.occupation_classes.max} can buy.`}),
        h("select", {id: "occupation_class", name: "occupation_class", "aria-describedby": "occ-hint"},
          Array.from({length: p.occupation_classes.max}, (_, i) => h("option", {value: String(i + 1), text: `Class ${i + 1}`}))))
      : null,
    h("div", {id: "quote-alert", hidden: true}),
    h("div", {class: "actions"}, h("button", {type: "submit", text: "Get quote"})),
    h("section", {id: "quote", "aria-live": "polite"}));
  let usedBirthDate = false;

  form.addEventListener("input", () => {
    const result = form.querySelector("#quote");
    if (result.childElementCount) result.replaceChildren(h("p", {class: "alert info", text: "Your answers changed. Get a new quote."}));
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const alert = form.querySelector("#quote-alert");
    const result = form.querySelector("#quote");
    clearFieldErrors(form);
    hideAlert(alert);
    result.replaceChildren();
    const data = new FormData(form);
    const body = {product_id: p.product_id, plan: data.get("plan"), gender: data.get("gender"), term: data.get("term"),
      options: data.getAll("options")};
    if (p.occupation_classes) body.occupation_class = Number(data.get("occupation_class"));
    usedBirthDate = Boolean(data.get("birth_date"));
    if (usedBirthDate) body.birth_date = data.get("birth_date");
    else if (data.get("age") !== "") body.age = Number(data.get("age"));
    const problems = {};
    if (!usedBirthDate && data.get("age") === "") problems.age = "Enter the age of the insured person, or the date of birth";
    if (!body.gender) problems.gender = "Choose male or female";
    if (Object.keys(problems).length) return void showFieldErrors(form, problems);
    const button = form.querySelector("button[type=submit]");
    setBusy(button, true, "Getting quote…");
    try {
      showQuote(result, await api("/quotes", {method: "POST", body}));
    } catch (err) {
      showError(alert, err, () => form.requestSubmit());
      const rest = showFieldErrors(form, err.fields, (k) => (k === "age" && usedBirthDate ? "birth_date" : k));
      if (Object.keys(rest).length) alert.append(list(Object.values(rest)));
    } finally {
      setBusy(button, false);
    }
  });
  return form;
}

function showQuote(box, q) {
  const pr = q.premium;
  box.replaceChildren(
    h("h3", {text: "Your quote"}),
    h("p", {class: "price", text: money(pr.total, pr.currency)}),
    h("p", {text: `For age ${q.inputs.age}, cover from ${day(q.inputs.start_date)}. ` +
      `This price is valid until ${when(q.valid_until)}.`}),
    h("div", {class: "table-wrap"}, h("table", {},
      h("caption", {text: "How the premium is worked out"}),
      h("thead", {}, h("tr", {}, h("th", {scope: "col", text: "Step"}), h("th", {scope: "col", class: "num", text: "Amount"}))),
      h("tbody", {}, pr.breakdown.map((b) => h("tr", {}, h("td", {text: b.description}), h("td", {class: "num", text: money(b.amount, pr.currency)})))))),
    h("div", {class: "actions"}, h("a", {class: "button", href: `order.html?quote=${encodeURIComponent(q.quote_id)}`, text: "Buy now"})));
  box.querySelector("h3").setAttribute("tabindex", "-1");
  box.querySelector("h3").focus();
}

function details(p) {
  const ins = p.insurer || {};
  return h("section", {"aria-labelledby": "about-h"},
    h("h2", {id: "about-h", text: "About this policy"}),
    h("dl", {class: "facts"},
      h("dt", {text: "Insurer"}), h("dd", {text: ins.name || p.insurer_id}),
      ins.hotline ? [h("dt", {text: "Hotline"}), h("dd", {}, h("a", {href: "tel:" + ins.hotline, text: ins.hotline}))] : null,
      ins.licence_no ? [h("dt", {text: "Licence"}), h("dd", {text: ins.licence_no})] : null,
      h("dt", {text: "Ages"}), h("dd", {text: `${p.age_limits.min} to ${p.age_limits.max}`}),
      h("dt", {text: "Terms"}), h("dd", {text: p.terms.map((t) => t.label).join(", ")}),
      h("dt", {text: "Cooling-off"}), h("dd", {text: p.cooling_off_days ? `${p.cooling_off_days} days, full refund` : "None"}),
      p.max_sum_insured_per_person ? [h("dt", {text: "Limit per person"}), h("dd", {text: cny(p.max_sum_insured_per_person)})] : null),
    p.terms_summary ? [h("h3", {text: "What it pays"}), h("p", {text: p.terms_summary})] : null,
    p.purchase_notes?.length ? [h("h3", {text: "Before you buy"}), list(p.purchase_notes)] : null,
    p.exclusions?.length ? [h("h3", {text: "What is not covered"}), list(p.exclusions)] : null,
    p.faq?.length ? [h("h3", {text: "Questions"}), p.faq.map((f) => h("details", {}, h("summary", {text: f.q}), h("p", {text: f.a})))] : null);
}

async function load() {
  const loading = $("#loading");
  if (!productId) {
    loading.hidden = true;
    return root.replaceChildren(h("p", {}, "No product was chosen. ", h("a", {href: "index.html", text: "See all products"}), "."));
  }
  loading.hidden = false;
  try {
    const p = await api(`/products/${encodeURIComponent(productId)}`);
    document.title = `${p.name} - InsureMall`;
    root.replaceChildren(
      h("h1", {text: p.name}),
      h("p", {class: "muted", text: (p.insurer || {}).name || ""}),
      h("p", {text: p.summary}),
      h("ul", {class: "tags", "aria-label": "Tags"}, (p.tags || []).map((t) => h("li", {text: t}))),
      h("h2", {text: "Plans and cover"}),
      plansTable(p),
      quoteForm(p),
      details(p));
  } catch (err) {
    if (err.status === 404) err.message = "We could not find this product. It may no longer be on sale.";
    showError($("#alert"), err, load);
  } finally {
    loading.hidden = true;
  }
}

load();
