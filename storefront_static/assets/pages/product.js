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

// A coverage's name often carries the plan's own terms ("Flight delay (CNY 200 per 4 hours)"): the row is named by
// what the plans share, and each plan's cell shows its own terms under its amount.
const splitName = (name) => {
  const m = /^(.*?)\s*\(([^()]*)\)$/.exec(String(name).trim());
  return m ? {base: m[1], terms: m[2]} : {base: String(name).trim(), terms: ""};
};

function coverRow(p, code) {
  const cover = p.plans.map((plan) => (plan.coverages || []).find((x) => x.code === code));
  const names = [...new Set(cover.filter(Boolean).map((c) => c.name))];
  const bases = [...new Set(names.map((n) => splitName(n).base))];
  const label = names.length === 1 ? names[0] : bases[0];
  const own = (c) => (names.length === 1 ? "" : bases.length === 1 ? splitName(c.name).terms : c.name);
  return h("tr", {}, h("th", {scope: "row", text: label}), cover.map((c) => (c
    ? h("td", {class: "num"}, num(c.sum_insured), own(c) ? h("span", {class: "cover-terms", text: own(c)}) : null)
    : h("td", {class: "num", text: "Not covered"}))));
}

function plansTable(p) {
  const codes = [...new Set(p.plans.flatMap((plan) => (plan.coverages || []).map((c) => c.code)))];
  return h("section", {"aria-labelledby": "plans-h"},
    h("h2", {id: "plans-h", text: "Plans and cover"}),
    h("div", {class: "table-wrap", role: "region", "aria-labelledby": "plans-caption", tabindex: "0"},
      h("table", {class: "plans-table"},
        h("caption", {id: "plans-caption", text: "Sums insured by plan, in CNY"}),
        h("thead", {}, h("tr", {}, h("th", {scope: "col", text: "Cover"}),
          p.plans.map((plan) => h("th", {scope: "col", class: "num", text: plan.name})))),
        h("tbody", {}, codes.map((code) => coverRow(p, code)),
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

const categoryName = (id) => (id.charAt(0).toUpperCase() + id.slice(1)).replace(/_/g, " ");

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
  // What happens to Buy now is said beside it, where the customer is looking (the bar is pinned on a phone).
  const buyAlert = h("div", {id: "buy-alert", hidden: true, tabindex: "-1"});
  const buybar = h("div", {class: "buybar unpriced"},
    h("div", {class: "amount", "aria-live": "polite", "aria-atomic": "true"}, amount, amountNote),
    buy, buyAlert);
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
    buybar);

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

  // No price and no Buy now while the details cannot be priced (or before the first price arrives).
  const noPrice = (note) => {
    amount.textContent = "\u2014";
    amountNote.textContent = note;
    breakdown.replaceChildren();
    buybar.classList.add("unpriced");
  };
  const category = categoryName(p.category_id);
  const offSale = () => {
    stopped = true;
    controller?.abort();
    noPrice("Not on sale");
    hideAlert(alert);
    buyAlert.hidden = false;
    buyAlert.className = "alert error";
    buyAlert.setAttribute("role", "alert");
    buyAlert.replaceChildren(h("p", {text: `${p.name} is no longer on sale, so it cannot be bought now.`}),
      h("p", {}, h("a", {href: `index.html?category=${encodeURIComponent(p.category_id)}`, text: `See other ${category.toLowerCase()} cover`}),
        " or ", h("a", {href: "index.html", text: "go back to the mall"}), "."));
    buyAlert.focus({preventScroll: true});
  };

  let controller = null;
  let asked = 0;  // each price request's number: an answer to an older one is dropped
  let stopped = false;
  async function requote() {
    if (stopped) return;
    const b = body();
    const mine = ++asked;
    clearFieldErrors(form);
    hideAlert(alert);
    hideAlert(buyAlert);
    const bad = problems(b);
    controller?.abort();
    if (Object.keys(bad).length) {
      noPrice("Check the details above");
      form.removeAttribute("aria-busy");
      showFieldErrors(form, bad, undefined, {focus: false});
      return;
    }
    controller = new AbortController();
    form.setAttribute("aria-busy", "true");
    amountNote.textContent = "Updating…";
    try {
      const result = await api(`/products/${encodeURIComponent(p.product_id)}/premium`, {method: "POST", body: b, signal: controller.signal});
      if (mine !== asked) return;
      const pr = result.premium;
      amount.textContent = money(pr.total, pr.currency);
      amountNote.textContent = `${termLabel(b.term)}, ${planName(b.plan)} plan`;
      buybar.classList.remove("unpriced");
      breakdown.replaceChildren(h("table", {},
        h("caption", {text: "How the price is worked out"}),
        h("tbody", {}, pr.breakdown.map((line) => h("tr", {}, h("td", {text: line.description}),
          h("td", {class: "num", text: money(line.amount, pr.currency)}))),
        h("tr", {class: "total"}, h("th", {scope: "row", text: "You pay"}), h("td", {class: "num", text: money(pr.total, pr.currency)})))));
    } catch (err) {
      if (err.name === "AbortError" || mine !== asked) return;
      if (err.status === 404) return offSale();
      noPrice("No price yet");
      const rest = showFieldErrors(form, err.fields, undefined, {focus: false});
      if (err.status !== 422 || Object.keys(rest).length) showError(alert, err, requote);
    } finally {
      if (mine === asked) form.removeAttribute("aria-busy");
    }
  }
  const later = debounce(requote, 300);
  // Details that cannot be priced take the price and Buy now away at once; valid ones are priced after a pause.
  const changed = () => {
    if (stopped) return;
    asked += 1;
    controller?.abort();
    if (Object.keys(problems(body())).length) return void requote();
    amountNote.textContent = "Updating…";
    later();
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (stopped) return offSale();
    const b = body();
    const bad = problems(b);
    if (Object.keys(bad).length) return void showFieldErrors(form, bad);
    setBusy(buy, true, "One moment…");
    hideAlert(alert);
    hideAlert(buyAlert);
    try {
      const quote = await api("/quotes", {method: "POST", body: {product_id: p.product_id, ...b}});
      location.href = `order.html?quote=${encodeURIComponent(quote.quote_id)}`;
    } catch (err) {
      setBusy(buy, false);
      if (err.status === 404) return offSale();
      const rest = showFieldErrors(form, err.fields);
      if (err.status !== 422 || Object.keys(rest).length) {
        showError(buyAlert, err, () => form.requestSubmit());
        if (err.status !== 422) buyAlert.focus({preventScroll: true});
      }
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

// A product that is not on sale (taken off, or a mistyped link) still leaves ways on: the categories and the mall.
async function notOnSale() {
  document.title = "Not on sale - InsureMall";
  let categories = [];
  try {
    categories = [...(await api("/categories")).categories || []].sort((a, b) => a.sort - b.sort);
  } catch { /* the mall link below still works */ }
  root.replaceChildren(h("section", {class: "card", "aria-labelledby": "gone-h"},
    h("h1", {id: "gone-h", text: "This product is not on sale"}),
    h("p", {text: "It may have been taken off sale, or the link may be incomplete. Other cover is a tap away."}),
    categories.length ? [h("h2", {text: "Browse by category"}),
      h("nav", {"aria-label": "Categories"}, h("ul", {class: "cats"}, categories.map((c) => h("li", {},
        h("a", {href: `index.html?category=${encodeURIComponent(c.category_id)}`},
          h("span", {class: "icon", "aria-hidden": "true", text: c.name.charAt(0)}), c.name)))))] : null,
    h("div", {class: "actions"},
      h("a", {class: "button", href: "index.html", text: "Go to the mall"}),
      h("a", {class: "button secondary", href: "recommend.html", text: "Find cover that fits me"}))));
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
          h("a", {href: `index.html?category=${encodeURIComponent(p.category_id)}`, text: categoryName(p.category_id)})),
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
    if (err.status === 404) return notOnSale();
    showError($("#alert"), err, load);
  } finally {
    loading.hidden = true;
  }
}

load();
