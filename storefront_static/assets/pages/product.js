// Product detail: cover table, terms, FAQ, a live premium calculator, Buy (creates a quote), sharing.
import {api} from "../api.js";
import {getSession} from "../session.js";
import {$, clearFieldErrors, cny, debounce, h, hideAlert, list, money, param, price, setBusy, showError, showFieldErrors} from "../ui.js";

const productId = param("id");
const root = $("#product");
const num = (n) => Number(n).toLocaleString("en-US");
const clamp = (n, lo, hi) => Math.min(hi, Math.max(lo, n));
const ID = (key) => "f-" + key.replace(/[^a-z0-9]+/gi, "-");
const GENDERS = [["M", "Male"], ["F", "Female"]];
const OCCUPATIONS = ["Office or indoor work", "Light physical work", "Skilled manual work", "Heavy or hazardous work",
  "Very hazardous work", "Most hazardous work"];

function pills(name, legend, items, {type = "radio", checked = []} = {}) {
  return h("fieldset", {class: "bare", "data-field": name},
    h("legend", {text: legend}),
    h("div", {class: "pills"}, items.map((it) => h("label", {class: "choice"},
      h("input", {type, name, value: it.value, checked: checked.includes(it.value)}),
      h("span", {}, it.label, it.sub ? h("span", {class: "sub", text: it.sub}) : null)))));
}

function field(key, label, control, hint) {
  const id = ID(key);
  control.id = id;
  control.name = key;
  if (hint) control.setAttribute("aria-describedby", id + "-hint");
  return h("div", {class: "field", "data-field": key},
    h("label", {for: id, text: label}),
    hint ? h("p", {class: "hint", id: id + "-hint", text: hint}) : null,
    control);
}

function plansTable(p) {
  const seen = new Map();
  for (const plan of p.plans) for (const c of plan.coverages || []) if (!seen.has(c.code)) seen.set(c.code, c.name);
  const rows = [...seen].map(([code, name]) => h("tr", {}, h("th", {scope: "row", text: name}), p.plans.map((plan) => {
    const c = (plan.coverages || []).find((x) => x.code === code);
    return h("td", {class: "num", text: c ? num(c.sum_insured) : "Not covered"});
  })));
  return h("section", {"aria-labelledby": "plans-h"},
    h("h2", {id: "plans-h", text: "Plans and cover"}),
    h("div", {class: "table-wrap", role: "region", "aria-labelledby": "plans-caption", tabindex: "0"},
      h("table", {class: "plans-table"},
        h("caption", {id: "plans-caption", text: "Sums insured by plan, in CNY"}),
        h("thead", {}, h("tr", {}, h("th", {scope: "col", text: "Cover"}),
          p.plans.map((plan) => h("th", {scope: "col", class: "num", text: plan.name})))),
        h("tbody", {}, rows,
          h("tr", {class: "total"}, h("th", {scope: "row", text: "Plan sum insured"}),
            p.plans.map((plan) => h("td", {class: "num", text: num(plan.sum_insured)})))))));
}

// The rules a refund follows, named as the policy page and the refund quote name them.
const AFTER = {pro_rata: "a refund for the unused days of cover (pro-rata)", short_rate: "a refund by the short-rate table", none: "no refund"};
function cancelRules(p) {
  const after = AFTER[p.cancellation?.after_cooling_off] || AFTER.pro_rata;
  const free = p.cooling_off_days ? `in the ${p.cooling_off_days}-day cooling-off period or before cover starts` : "before cover starts";
  return `Full refund ${free}; after that, ${after}.`;
}

function details(p) {
  const ins = p.insurer || {};
  return h("section", {"aria-labelledby": "about-h"},
    h("h2", {id: "about-h", text: "About this policy"}),
    h("dl", {class: "facts card"},
      h("dt", {text: "Insurer"}), h("dd", {text: ins.name || p.insurer_id}),
      ins.hotline ? [h("dt", {text: "Hotline"}), h("dd", {}, h("a", {href: "tel:" + ins.hotline, text: ins.hotline}))] : null,
      ins.licence_no ? [h("dt", {text: "Licence"}), h("dd", {text: ins.licence_no})] : null,
      h("dt", {text: "Ages"}), h("dd", {text: `${p.age_limits.min} to ${p.age_limits.max}`}),
      h("dt", {text: "Terms"}), h("dd", {text: p.terms.map((t) => t.label).join(", ")}),
      h("dt", {text: "Cooling-off"}), h("dd", {text: p.cooling_off_days ? `${p.cooling_off_days} days, full refund` : "None"}),
      h("dt", {text: "If you cancel"}), h("dd", {id: "cancel-rules", text: cancelRules(p)}),
      p.max_sum_insured_per_person ? [h("dt", {text: "Limit per person"}), h("dd", {text: cny(p.max_sum_insured_per_person)})] : null),
    p.terms_summary ? [h("h3", {text: "What it pays"}), h("p", {text: p.terms_summary})] : null,
    p.purchase_notes?.length ? [h("h3", {text: "Before you buy"}), list(p.purchase_notes)] : null,
    p.exclusions?.length ? [h("h3", {text: "What is not covered"}), list(p.exclusions)] : null,
    p.faq?.length ? [h("h3", {text: "Questions"}), p.faq.map((f) => h("details", {}, h("summary", {text: f.q}), h("p", {text: f.a})))] : null);
}

// ---------- the live calculator ----------
function calculator(p) {
  const limits = p.age_limits;
  const pick = (name, codes, fallback) => (codes.includes(param(name)) ? param(name) : fallback);
  const plan = pick("plan", p.plans.map((x) => x.code), p.plans[Math.min(1, p.plans.length - 1)].code);
  const term = pick("term", p.terms.map((t) => t.code), p.terms[0].code);
  const age = /^\d{1,3}$/.test(param("age") || "") ? clamp(Number(param("age")), limits.min, limits.max) : clamp(30, limits.min, limits.max);
  const ageInput = h("input", {type: "number", inputmode: "numeric", min: String(limits.min), max: String(limits.max), value: String(age)});
  const termSelect = h("select", {}, p.terms.map((t) => h("option", {value: t.code, text: t.label, selected: t.code === term})));
  const amount = h("span", {id: "live-price", text: p.premium_from ? "from " + price(p.premium_from) : "—"});
  const amountNote = h("small", {id: "live-note", text: "Working out your price…"});
  const breakdown = h("div", {class: "table-wrap breakdown"});
  const alert = h("div", {id: "calc-alert", hidden: true});
  const buy = h("button", {type: "submit", text: "Buy now"});
  const form = h("form", {class: "card calc", id: "calc", novalidate: true, "aria-labelledby": "calc-h"},
    h("h2", {id: "calc-h", text: "Your price"}),
    h("p", {class: "hint", text: "The price updates as you change the details."}),
    pills("plan", "Plan", p.plans.map((x) => ({value: x.code, label: x.name, sub: `Cover up to ${cny(x.sum_insured)}`})), {checked: [plan]}),
    field("age", "Age of the insured person", ageInput, `From ${limits.min} to ${limits.max}.`),
    pills("gender", "Gender of the insured person", GENDERS.map(([value, label]) => ({value, label})),
      {checked: [pick("gender", ["M", "F"], "M")]}),
    field("term", "How long", termSelect),
    p.occupation_classes
      ? field("occupation_class", "Occupation class",
        h("select", {}, Array.from({length: p.occupation_classes.max}, (_, i) => h("option", {value: String(i + 1),
          text: `Class ${i + 1}: ${OCCUPATIONS[i] || "hazardous work"}`}))),
        `Classes 1 to ${p.occupation_classes.max} can buy; higher classes cost more.`)
      : null,
    p.options?.length
      ? h("fieldset", {"data-field": "options"}, h("legend", {text: "Extra cover (optional)"}),
        p.options.map((o) => h("label", {class: "choice"}, h("input", {type: "checkbox", name: "options", value: o.code}),
          h("span", {}, o.name, o.description ? h("span", {class: "hint", text: " — " + o.description}) : null))))
      : null,
    breakdown,
    alert,
    h("div", {class: "buybar"},
      h("div", {class: "amount", "aria-live": "polite", "aria-atomic": "true"}, amount, amountNote),
      buy));

  const body = () => {
    const data = new FormData(form);
    const b = {plan: data.get("plan"), age: Number(data.get("age")), gender: data.get("gender"), term: data.get("term"),
      options: data.getAll("options")};
    if (p.occupation_classes) b.occupation_class = Number(data.get("occupation_class"));
    return b;
  };
  // Checks that need no server, in the customer's words; the server checks everything again.
  const problems = (b) => {
    const raw = ageInput.value.trim();
    if (raw === "") return {age: `Enter the age of the insured person, from ${limits.min} to ${limits.max}`};
    if (!/^\d+$/.test(raw) || b.age < limits.min || b.age > limits.max) return {age: `Enter an age from ${limits.min} to ${limits.max}`};
    return {};
  };
  const termLabel = (code) => (p.terms.find((t) => t.code === code) || {label: code}).label;
  const planName = (code) => (p.plans.find((x) => x.code === code) || {name: code}).name;

  let controller = null;
  let latest = null;
  async function requote() {
    const b = body();
    clearFieldErrors(form);
    hideAlert(alert);
    const bad = problems(b);
    controller?.abort();
    if (Object.keys(bad).length) {
      latest = null;
      amountNote.textContent = "Check the details above";
      showFieldErrors(form, bad, undefined, {focus: false});
      return;
    }
    controller = new AbortController();
    form.setAttribute("aria-busy", "true");
    amountNote.textContent = "Updating…";
    try {
      const result = await api(`/products/${encodeURIComponent(p.product_id)}/premium`, {method: "POST", body: b, signal: controller.signal});
      const pr = result.premium;
      latest = b;
      amount.textContent = money(pr.total, pr.currency);
      amountNote.textContent = `${termLabel(b.term)}, ${planName(b.plan)} plan`;
      breakdown.replaceChildren(h("table", {},
        h("caption", {text: "How the price is worked out"}),
        h("tbody", {}, pr.breakdown.map((line) => h("tr", {}, h("td", {text: line.description}),
          h("td", {class: "num", text: money(line.amount, pr.currency)}))),
        h("tr", {class: "total"}, h("th", {scope: "row", text: "You pay"}), h("td", {class: "num", text: money(pr.total, pr.currency)})))));
    } catch (err) {
      if (err.name === "AbortError") return;
      latest = null;
      amountNote.textContent = "No price yet";
      breakdown.replaceChildren();
      const rest = showFieldErrors(form, err.fields, undefined, {focus: false});
      if (err.status !== 422 || Object.keys(rest).length) showError(alert, err, requote);
    } finally {
      form.removeAttribute("aria-busy");
    }
  }
  const later = debounce(requote, 300);
  form.addEventListener("input", later);
  form.addEventListener("change", later);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const b = body();
    const bad = problems(b);
    if (Object.keys(bad).length) return void showFieldErrors(form, bad);
    setBusy(buy, true, "One moment…");
    hideAlert(alert);
    try {
      const quote = await api("/quotes", {method: "POST", body: {product_id: p.product_id, ...b}});
      location.href = `order.html?quote=${encodeURIComponent(quote.quote_id)}`;
    } catch (err) {
      setBusy(buy, false);
      showError(alert, err, () => form.requestSubmit());
      showFieldErrors(form, err.fields);
    }
  });
  requote();
  return form;
}

// ---------- sharing ----------
async function shareLink() {
  const url = new URL(`product.html?id=${encodeURIComponent(productId)}`, location.href);
  if (!getSession()) return {url: url.href, ref: null};
  let code = null;
  try {
    code = (await api("/members/me/invitation")).invite_code;
  } catch { /* share without an invitation code */ }
  if (code) url.searchParams.set("ref", code);
  return {url: url.href, ref: code};
}

function shareSection(p) {
  const status = h("p", {role: "status", class: "hint"});
  const linkInput = h("input", {type: "url", id: "share-link", readonly: true, value: location.href});
  const qr = h("img", {class: "qr", alt: `QR code of the link to ${p.name}`, width: "164", height: "164", hidden: true});
  const note = h("p", {class: "hint", id: "share-hint"});
  const canShare = typeof navigator.share === "function";
  const button = h("button", {type: "button", class: "secondary", text: canShare ? "Share…" : "Copy link"});
  const box = h("section", {class: "card", "aria-labelledby": "share-h"},
    h("h2", {id: "share-h", text: "Share with family and friends"}),
    h("div", {class: "share"}, qr,
      h("div", {},
        h("label", {for: "share-link", text: "Link to this product"}),
        linkInput, note,
        h("div", {class: "actions"}, button), status)));
  linkInput.setAttribute("aria-describedby", "share-hint");
  linkInput.addEventListener("focus", () => linkInput.select());

  (async () => {
    const {url, ref} = await shareLink();
    linkInput.value = url;
    note.textContent = ref
      ? "The link carries your invitation code, so we know you recommended it."
      : "Sign in first to share a link with your invitation code.";
    // The encoder is only needed here: it loads when the customer scrolls near, not while the page starts.
    await new Promise((resolve) => {
      const seen = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) { seen.disconnect(); resolve(); }
      }, {rootMargin: "200px"});
      seen.observe(box);
    });
    const {default: qrcode} = await import("../vendor/qrcode-generator.js");
    const code = qrcode(0, "M");
    code.addData(url);
    code.make();
    const cell = Math.max(2, Math.floor(164 / (code.getModuleCount() + 4)));
    qr.src = code.createDataURL(cell, cell * 2);
    qr.hidden = false;
  })().catch(() => { /* the link still works without its QR code */ });

  button.addEventListener("click", async () => {
    const url = linkInput.value;
    if (canShare) {
      try {
        await navigator.share({title: p.name, text: `${p.name} from ${p.insurer?.name || "InsureMall"}`, url});
        status.textContent = "Shared.";
      } catch (err) {
        if (err.name !== "AbortError") status.textContent = "Could not open sharing. Copy the link above instead.";
      }
      return;
    }
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      linkInput.focus();
      linkInput.select();
      document.execCommand("copy");
    }
    status.textContent = "Link copied. Paste it into a chat or message.";
  });
  return box;
}

async function load() {
  const loading = $("#loading");
  if (!productId) {
    loading.hidden = true;
    return root.replaceChildren(h("p", {}, "No product was chosen. ", h("a", {href: "index.html", text: "See all products"}), "."));
  }
  loading.hidden = false;
  hideAlert($("#alert"));
  try {
    const p = await api(`/products/${encodeURIComponent(productId)}`);
    document.title = `${p.name} - InsureMall`;
    document.querySelector('meta[name="description"]')?.setAttribute("content", p.summary);
    document.body.classList.add("has-buybar");
    root.replaceChildren(h("div", {class: "product-layout"},
      h("div", {class: "product-hero"},
        h("p", {class: "muted"}, h("a", {href: "index.html", text: "Home"}), " / ",
          h("a", {href: `index.html?category=${encodeURIComponent(p.category_id)}`, text: (p.category_id.charAt(0).toUpperCase() + p.category_id.slice(1)).replace(/_/g, " ")})),
        h("h1", {text: p.name}),
        h("p", {class: "muted", text: (p.insurer || {}).name || ""}),
        h("p", {text: p.summary}),
        p.premium_from ? h("p", {class: "from"}, "from ", h("strong", {text: price(p.premium_from)})) : null,
        h("ul", {class: "tags", "aria-label": "Tags"}, (p.tags || []).map((t) => h("li", {text: t.replace(/_/g, " ")})))),
      h("div", {class: "side"}, calculator(p)),
      plansTable(p),
      details(p),
      shareSection(p)));
  } catch (err) {
    if (err.status === 404) err.message = "We could not find this product. It may no longer be on sale.";
    showError($("#alert"), err, load);
  } finally {
    loading.hidden = true;
  }
}

load();
