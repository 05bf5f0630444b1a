import {api} from "../api.js";
import {goToSignIn, referrer, requireSession} from "../session.js";
import {$, cents, CHINA_TIME, clearFieldErrors, day, debounce, h, hideAlert, list, money, param, setBusy, showAlert, showError, showFieldErrors, uuid, when} from "../ui.js";

const session = requireSession();
const quoteId = param("quote");
const root = $("#order");
const RELATIONS = [["self", "Myself (the policyholder)"], ["spouse", "My spouse"], ["child", "My child"], ["parent", "My parent"]];
const BENEFICIARY_RELATIONS = [["spouse", "Spouse"], ["child", "Child"], ["parent", "Parent"], ["sibling", "Sibling"]];
const ID_HINT = "18 characters: 17 digits, then a digit or X.";

function input(key, label, attrs = {}, hint) {
  const id = key.replace(/[^a-z0-9]+/gi, "-");
  return h("div", {class: "field", "data-field": key},
    h("label", {for: id, text: label}),
    hint ? h("p", {class: "hint", id: id + "-hint", text: hint}) : null,
    h("input", {id, name: key, type: "text", "aria-describedby": hint ? id + "-hint" : null, ...attrs}));
}

function select(key, label, options, attrs = {}) {
  const id = key.replace(/[^a-z0-9]+/gi, "-");
  return h("div", {class: "field", "data-field": key},
    h("label", {for: id, text: label}),
    h("select", {id, name: key, ...attrs}, options.map(([value, text]) => h("option", {value, text}))));
}

function yesNo(q) {
  const key = `health_answers.${q.code}`;
  return h("fieldset", {"data-field": key},
    h("legend", {text: q.text}),
    h("div", {class: "row"},
      h("label", {class: "choice"}, h("input", {type: "radio", name: key, value: "yes"}), "Yes"),
      h("label", {class: "choice"}, h("input", {type: "radio", name: key, value: "no"}), "No")));
}

// What a PRC ID number says about its holder, to catch a mismatch with the quote before sending.
function idProblem(number, quote) {
  const n = number.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(n)) return "Enter an 18-character ID number: 17 digits, then a digit or X";
  const birth = new Date(Date.UTC(+n.slice(6, 10), +n.slice(10, 12) - 1, +n.slice(12, 14)));
  if (isNaN(birth) || birth.getUTCDate() !== +n.slice(12, 14)) return "This ID number does not contain a real date of birth";
  const start = new Date(quote.inputs.start_date + "T00:00:00Z");
  let age = start.getUTCFullYear() - birth.getUTCFullYear();
  if (start.getUTCMonth() < birth.getUTCMonth() ||
      (start.getUTCMonth() === birth.getUTCMonth() && start.getUTCDate() < birth.getUTCDate())) age -= 1;
  if (age !== quote.inputs.age) {
    return `This person is ${age} when cover starts, but the quote is for age ${quote.inputs.age}. Get a new quote for age ${age}`;
  }
  if ((+n[16] % 2 ? "M" : "F") !== quote.inputs.gender) return "This ID number's gender does not match the quote. Get a new quote";
  return null;
}

function beneficiaryBlock(i) {
  const p = `beneficiaries[${i}]`;
  return h("fieldset", {class: "beneficiary", "data-index": String(i)},
    h("legend", {text: `Beneficiary ${i + 1}`}),
    input(`${p}.name`, "Full name", {autocomplete: "off", maxlength: "60"}),
    input(`${p}.id_number`, "Their PRC ID number", {autocomplete: "off", maxlength: "18"}, ID_HINT),
    select(`${p}.relation`, "Relation to the insured", BENEFICIARY_RELATIONS),
    input(`${p}.share`, "Share (%)", {type: "number", inputmode: "numeric", min: "1", max: "100", value: i === 0 ? "100" : ""}));
}

function beneficiaries() {
  const blocks = h("div", {id: "beneficiary-list", hidden: true});
  const add = h("button", {type: "button", class: "secondary", text: "Add another beneficiary", hidden: true});
  const refresh = () => { add.hidden = blocks.hidden || blocks.childElementCount >= 5; };
  add.addEventListener("click", () => {
    const block = beneficiaryBlock(blocks.childElementCount);
    blocks.append(block);
    block.querySelector("input").focus();
    refresh();
  });
  const box = h("fieldset", {"data-field": "beneficiaries"},
    h("legend", {text: "Who receives the death benefit"}),
    h("label", {class: "choice"}, h("input", {type: "radio", name: "bene_mode", value: "heirs", checked: true}), "The insured person's legal heirs"),
    h("label", {class: "choice"}, h("input", {type: "radio", name: "bene_mode", value: "named"}), "People I name (shares must add up to 100%)"),
    blocks, add);
  box.addEventListener("change", (e) => {
    if (e.target.name !== "bene_mode") return;
    blocks.hidden = e.target.value !== "named";
    if (!blocks.hidden && !blocks.childElementCount) blocks.append(beneficiaryBlock(0));
    refresh();
  });
  return box;
}

function readBeneficiaries(form) {
  if (form.querySelector("input[name=bene_mode]:checked")?.value !== "named") return [];
  return [...form.querySelectorAll("fieldset.beneficiary")].map((_, i) => {
    const v = (k) => form.elements[`beneficiaries[${i}].${k}`].value.trim();
    return {name: v("name"), id_type: "prc_id", id_number: v("id_number").toUpperCase(), relation: v("relation"),
      share: v("share") === "" ? null : Number(v("share"))};
  });
}

const planLabel = (plan) => (plan.sum_insured && !/\d/.test(plan.name)
  ? `${plan.name}, cover up to CNY ${Number(plan.sum_insured).toLocaleString("en-US")}` : plan.name);

function summary(quote, product) {
  const plan = product.plans.find((x) => x.code === quote.inputs.plan) || {name: quote.inputs.plan};
  const term = product.terms.find((x) => x.code === quote.inputs.term) || {label: quote.inputs.term};
  const options = (product.options || []).filter((o) => quote.inputs.options.includes(o.code)).map((o) => o.name);
  const pr = quote.premium;
  return h("section", {class: "card", id: "summary", "aria-labelledby": "summary-h"},
    h("h2", {id: "summary-h", text: product.name}),
    h("dl", {class: "facts"},
      h("dt", {text: "Plan"}), h("dd", {text: planLabel(plan)}),
      h("dt", {text: "Term"}), h("dd", {text: term.label}),
      h("dt", {text: "Cover starts"}), h("dd", {text: day(quote.inputs.start_date)}),
      h("dt", {text: "Insured person"}), h("dd", {text: `${quote.inputs.gender === "M" ? "Man" : "Woman"} aged ${quote.inputs.age}`}),
      options.length ? [h("dt", {text: "Extra cover"}), h("dd", {text: options.join(", ")})] : null,
      quote.inputs.occupation_class ? [h("dt", {text: "Occupation class"}), h("dd", {text: String(quote.inputs.occupation_class)})] : null),
    h("div", {class: "table-wrap"}, h("table", {},
      h("caption", {text: "Premium breakdown"}),
      h("tbody", {id: "premium-rows"}, premiumRows(quote)))),
    quote.expired ? null : h("p", {class: "hint", text: `This price is held until ${when(quote.valid_until)} (${CHINA_TIME}).`}));
}

// ---------- coupons and points ----------
// The customer only picks a coupon and a number of points; the server works out every amount
// (POST /quotes/{id}/discounts) and the breakdown shows them before the order is submitted.
let applied = null;  // the last preview of the current quote: gross_cents, discounts, payable_cents, max_points, ...
const chosen = {coupon_claim_id: null, points: 0};
let previewing = null;

const payText = (quote) => (applied ? cents(applied.payable_cents, quote.premium.currency) : money(quote.premium.total, quote.premium.currency));

function premiumRows(quote) {
  const pr = quote.premium;
  const rows = pr.breakdown.map((b) => h("tr", {}, h("td", {text: b.description}), h("td", {class: "num", text: money(b.amount, pr.currency)})));
  if (applied?.discounts?.length) {
    rows.push(h("tr", {}, h("th", {scope: "row", text: "Premium before discounts"}), h("td", {class: "num", text: cents(applied.gross_cents, pr.currency)})),
      ...applied.discounts.map((d) => h("tr", {class: "discount"},
        h("td", {text: d.kind === "coupon" ? `Coupon: ${d.label}` : `Points: ${d.label}`}),
        h("td", {class: "num", text: "\u2212" + cents(d.amount_cents, pr.currency)}))));
  }
  rows.push(h("tr", {class: "total"}, h("th", {scope: "row", text: "You pay"}), h("td", {class: "num", text: payText(quote)})));
  return rows;
}

function discountBox() {
  const coupon = h("select", {id: "coupon", name: "coupon_claim_id"}, h("option", {value: "", text: "No coupon"}));
  const points = h("input", {id: "points", name: "points", type: "number", inputmode: "numeric", min: "0", step: "1", value: "0",
    "aria-describedby": "points-hint"});
  const box = h("fieldset", {id: "discounts", hidden: true},
    h("legend", {text: "Coupons and points"}),
    h("div", {class: "field", "data-field": "coupon_claim_id"}, h("label", {for: "coupon", text: "Coupon"}), coupon),
    h("div", {class: "field", "data-field": "points"}, h("label", {for: "points", text: "Points to use"}),
      h("p", {class: "hint", id: "points-hint"}), points),
    h("p", {id: "discount-status", role: "status"}));
  coupon.addEventListener("change", () => {
    chosen.coupon_claim_id = coupon.value || null;
    previewDiscounts();
  });
  points.addEventListener("input", debounce(() => {
    const n = points.value.trim() === "" ? 0 : Number(points.value);
    chosen.points = Number.isInteger(n) && n >= 0 ? n : -1;
    previewDiscounts();
  }, 400));
  return box;
}

async function previewDiscounts() {
  const box = $("#discounts");
  if (!box || !current || current.expired) return;
  const quote = current;
  const status = $("#discount-status");
  previewing?.abort();
  const control = new AbortController();
  previewing = control;
  clearFieldErrors(box);
  if (chosen.points < 0) {
    showFieldErrors(box, {points: "Enter a whole number of points, 0 or more"}, undefined, {focus: false});
    return;
  }
  const body = {};
  if (chosen.coupon_claim_id) body.coupon_claim_id = chosen.coupon_claim_id;
  if (chosen.points) body.points = chosen.points;
  if (!box.hidden) status.textContent = "Working out your discount…";
  try {
    const r = await api(`/quotes/${encodeURIComponent(quote.quote_id)}/discounts`, {method: "POST", body, signal: control.signal});
    applied = r;
    const select = $("#coupon");
    select.replaceChildren(h("option", {value: "", text: "No coupon"}), ...(r.coupons || []).map((c) =>
      h("option", {value: c.claim_id, disabled: !c.applies, text: c.applies ? c.label : `${c.label} (${c.reason})`})));
    select.value = chosen.coupon_claim_id || "";
    const most = Number(r.max_points) || 0;
    $("#points").max = String(most);
    $("#points").disabled = most <= 0 && !chosen.points;
    $("#points-hint").textContent = r.points_balance
      ? (most > 0 ? `You have ${r.points_balance} points; you can use up to ${most} on this order.` : `You have ${r.points_balance} points; they cannot be used on this order.`)
      : "You have no points yet.";
    box.hidden = !((r.coupons || []).length || r.points_balance > 0);
    status.textContent = r.discounts.length
      ? `You save ${cents(r.discount_cents, quote.premium.currency)}. You pay ${cents(r.payable_cents, quote.premium.currency)}.` : "";
  } catch (err) {
    if (err.name === "AbortError") return;
    applied = null;
    if (err.status === 401) return goToSignIn();
    // This deployment cannot preview discounts: the order is placed at the full premium.
    if (err.status === 405 || (err.status === 404 && /^No route/.test(err.message))) {
      box.hidden = true;
    } else if (err.status === 422) {
      status.textContent = "These discounts cannot be applied. See the message above.";
      showFieldErrors(box, err.fields, undefined, {focus: false});
    } else {
      status.textContent = err.message;
    }
  }
  $("#premium-rows")?.replaceChildren(...premiumRows(quote));
  const submit = $("#order-form button[type=submit]");
  if (submit && !submit.disabled) submit.textContent = `Submit order, ${payText(quote)}`;
}

// A quote holds its price for a while; after that a new one with the same answers gives today's price.
function requoteBody(quote) {
  const {start_date: _start, ...inputs} = quote.inputs;
  return {product_id: quote.product_id, ...inputs};
}

function expiredBox(onNewQuote) {
  const button = h("button", {type: "button", text: "Get a new price"});
  const box = h("div", {class: "alert error", role: "alert", id: "expired"},
    h("p", {}, h("strong", {text: "This quote has expired, get a new price."}),
      " Prices are held for a short time; your answers are kept."),
    h("div", {class: "actions"}, button));
  button.addEventListener("click", async () => {
    setBusy(button, true, "Getting a new price…");
    try {
      await onNewQuote();
    } catch (err) {
      setBusy(button, false);
      box.querySelector(".more")?.remove();
      box.append(h("p", {class: "more", text: err.message}));
    }
  });
  return box;
}

let current = null;

function buildForm(quote, product) {
  const alert = h("div", {id: "form-alert", hidden: true});
  const insuredFields = h("div", {hidden: true},
    input("insured[0].name", "Full name of the insured person", {autocomplete: "off", maxlength: "60"}),
    input("insured[0].id_number", "Their PRC ID number", {autocomplete: "off", maxlength: "18"}, ID_HINT));
  const selfNote = h("p", {class: "hint", text: "The insured person is the policyholder above; their details are used."});
  const relation = select("insured[0].relation", "Who is insured?", RELATIONS);
  relation.addEventListener("change", () => {
    const self = form.elements["insured[0].relation"].value === "self";
    insuredFields.hidden = self;
    selfNote.hidden = !self;
  });
  const picker = familyPicker();
  const form = h("form", {novalidate: true, id: "order-form"},
    h("fieldset", {},
      h("legend", {text: "Policyholder (the person who pays)"}),
      input("policyholder.name", "Full name", {autocomplete: "name", maxlength: "60"}),
      input("policyholder.id_number", "PRC ID number", {autocomplete: "off", maxlength: "18"}, ID_HINT),
      input("policyholder.phone", "Mobile number", {type: "tel", autocomplete: "tel-national", inputmode: "numeric", maxlength: "11"},
        "11-digit mainland mobile number, e.g. 13800138000."),
      input("policyholder.email", "E-mail", {type: "email", autocomplete: "email", value: session.email})),
    h("fieldset", {},
      h("legend", {text: "Insured person"}),
      h("p", {class: "hint", text: `The quote is for a ${quote.inputs.gender === "M" ? "man" : "woman"} aged ${quote.inputs.age} when cover starts.`}),
      picker, relation, selfNote, insuredFields),
    product.has_beneficiaries ? beneficiaries() : null,
    product.health_questions?.length
      ? h("fieldset", {}, h("legend", {text: "Health questions about the insured person"}),
        h("p", {class: "hint", text: "Answer truthfully: a wrong answer can mean a claim is not paid."}),
        product.health_questions.map(yesNo))
      : null,
    discountBox(),
    h("div", {class: "field", "data-field": "accept_terms"},
      h("label", {class: "choice"}, h("input", {type: "checkbox", name: "accept_terms", id: "accept_terms"}),
        h("span", {}, "I have read and accept the policy terms, exclusions and purchase notes (",
          h("a", {href: `product.html?id=${encodeURIComponent(product.product_id)}`, text: "see the product page"}), ")."))),
    alert,
    h("div", {class: "actions"}, h("button", {type: "submit", text: `Submit order, ${payText(quote)}`})));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit(form, alert, current, product);
  });
  picker.addEventListener("change", (e) => fillFromFamily(form, e.target));
  return form;
}

// Saved family members (GET /members/me/family): picking one fills the insured person with the full ID.
function familyPicker() {
  const wrap = h("div", {class: "field", "data-field": "family", hidden: true},
    h("label", {for: "family-pick", text: "Fill in from my family"}),
    h("select", {id: "family-pick"}, h("option", {value: "", text: "Choose a saved family member"})),
    h("p", {class: "hint", id: "family-status", role: "status"}));
  api("/members/me/family").then((data) => {
    const people = data.family || [];
    if (!people.length) return;
    wrap.querySelector("select").append(...people.map((f) =>
      h("option", {value: f.family_member_id, text: `${f.name} (${f.relation}, ${f.id_number})`})));
    wrap.hidden = false;
  }).catch(() => { /* typing the details in still works */ });
  return wrap;
}

async function fillFromFamily(form, select) {
  if (select.id !== "family-pick" || !select.value) return;
  const status = form.querySelector("#family-status");
  status.textContent = "Filling in…";
  try {
    const person = await api(`/members/me/family/${encodeURIComponent(select.value)}`);
    const relation = form.elements["insured[0].relation"];
    relation.value = person.relation;
    relation.dispatchEvent(new Event("change", {bubbles: true}));
    form.elements["insured[0].name"].value = person.name;
    form.elements["insured[0].id_number"].value = person.id_number;
    status.textContent = `Filled in ${person.name}'s details. Check them before you submit.`;
  } catch (err) {
    status.textContent = err.message;
  }
}

function readBody(form, quote, product) {
  const v = (k) => (form.elements[k]?.value || "").trim();
  const holder = {name: v("policyholder.name"), id_type: "prc_id", id_number: v("policyholder.id_number").toUpperCase(),
    phone: v("policyholder.phone").replace(/[\s-]/g, "")};
  if (v("policyholder.email")) holder.email = v("policyholder.email");
  const relation = v("insured[0].relation");
  const insured = relation === "self"
    ? {relation, name: holder.name, id_type: "prc_id", id_number: holder.id_number}
    : {relation, name: v("insured[0].name"), id_type: "prc_id", id_number: v("insured[0].id_number").toUpperCase()};
  const answers = {};
  for (const q of product.health_questions || []) {
    const picked = form.querySelector(`input[name="health_answers.${q.code}"]:checked`);
    if (picked) answers[q.code] = picked.value === "yes";
  }
  return {quote_id: quote.quote_id, channel: "h5", policyholder: holder, insured: [insured],
    beneficiaries: readBeneficiaries(form), health_answers: answers, accept_terms: form.elements.accept_terms.checked};
}

// The same checks the server makes, in the customer's words, before anything is sent.
function check(body, quote, product) {
  const p = {};
  const ph = body.policyholder;
  const ins = body.insured[0];
  const self = ins.relation === "self";
  if (!ph.name) p["policyholder.name"] = "Enter the policyholder's full name";
  if (!ph.id_number) p["policyholder.id_number"] = "Enter the policyholder's ID number";
  else if (!/^\d{17}[\dX]$/.test(ph.id_number)) p["policyholder.id_number"] = idProblem(ph.id_number, quote);
  if (!/^1[3-9]\d{9}$/.test(ph.phone)) p["policyholder.phone"] = "Enter an 11-digit mainland mobile number";
  if (ph.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(ph.email)) p["policyholder.email"] = "Enter an e-mail address like name@example.com";
  if (!self && !ins.name) p["insured[0].name"] = "Enter the insured person's full name";
  const idKey = self ? "policyholder.id_number" : "insured[0].id_number";
  if (!ins.id_number) p[idKey] = p[idKey] || "Enter the insured person's ID number";
  else if (!p[idKey]) { const problem = idProblem(ins.id_number, quote); if (problem) p[idKey] = problem; }
  body.beneficiaries.forEach((b, i) => {
    if (!b.name) p[`beneficiaries[${i}].name`] = "Enter the beneficiary's full name";
    if (!/^\d{17}[\dX]$/.test(b.id_number)) p[`beneficiaries[${i}].id_number`] = "Enter an 18-character ID number";
    if (!Number.isInteger(b.share) || b.share < 1 || b.share > 100) p[`beneficiaries[${i}].share`] = "Enter a whole percentage from 1 to 100";
  });
  const total = body.beneficiaries.reduce((s, b) => s + (b.share || 0), 0);
  if (body.beneficiaries.length && total !== 100 && !Object.keys(p).some((k) => k.endsWith(".share"))) {
    p.beneficiaries = `The shares must add up to 100% (they add up to ${total}%)`;
  }
  for (const q of product.health_questions || []) {
    if (!(q.code in body.health_answers)) p[`health_answers.${q.code}`] = "Answer yes or no";
  }
  if (!body.accept_terms) p.accept_terms = "Read and accept the policy terms to continue";
  return p;
}

async function submit(form, alert, quote, product) {
  clearFieldErrors(form);
  hideAlert(alert);
  const body = readBody(form, quote, product);
  const self = body.insured[0].relation === "self";
  // With "self" the insured's details are the policyholder's fields.
  const alias = (k) => (self ? k.replace(/^insured\[0\]\.(name|id_number)$/, "policyholder.$1") : k);
  const problems = check(body, quote, product);
  if (Object.keys(problems).length) {
    showAlert(alert, "Please correct the fields marked above.");
    showFieldErrors(form, problems, alias);
    return;
  }
  if (referrer()) body.ref = referrer();  // the shared link the customer arrived through
  if (chosen.coupon_claim_id) body.coupon_claim_id = chosen.coupon_claim_id;
  if (chosen.points > 0) body.points = chosen.points;
  const keyName = `insuremall.idem.${quote.quote_id}`;
  if (!sessionStorage.getItem(keyName)) sessionStorage.setItem(keyName, uuid());
  const button = form.querySelector("button[type=submit]");
  setBusy(button, true, "Submitting…");
  try {
    const order = await api("/orders", {method: "POST", body, headers: {"Idempotency-Key": sessionStorage.getItem(keyName)}});
    sessionStorage.setItem(`insuremall.order.${quote.quote_id}`, order.order_id);
    location.href = `order-status.html?id=${encodeURIComponent(order.order_id)}`;
  } catch (err) {
    setBusy(button, false);
    if (err.status === 401) return goToSignIn();
    if (err.status === 409 && /Idempotency-Key/i.test(err.message)) {
      err.message = "You already placed an order with this quote using different details. " +
        "See it under My account, or get a new quote to buy again.";
    }
    showError(alert, err, () => form.requestSubmit());
    const rest = showFieldErrors(form, err.fields, alias);
    delete rest.quote_id;
    if (Object.keys(rest).length) alert.append(list(Object.entries(rest).map(([k, m]) => `${k}: ${m}`)));
    if (err.status === 409 && err.fields.quote_id === "expired") {
      hideAlert(alert);
      form.before(expiredBox(() => requote(product)));
      $("#expired").scrollIntoView({block: "center"});
      $("#expired button").focus();
      return;
    }
    if (err.status === 409 && err.fields.quote_id) {
      alert.append(h("p", {}, h("a", {href: `product.html?id=${encodeURIComponent(product.product_id)}`, text: "Get a new quote"})));
    }
    if (!Object.keys(err.fields).length) alert.scrollIntoView({block: "center"});
  }
}

// Same answers, today's price: the summary and the submit button follow; what was typed in stays.
async function requote(product) {
  const before = current.premium.total;
  const quote = await api("/quotes", {method: "POST", body: requoteBody(current)});
  current = quote;
  applied = null;
  history.replaceState(null, "", `order.html?quote=${encodeURIComponent(quote.quote_id)}`);
  $("#summary").replaceWith(summary(quote, product));
  const form = $("#order-form") || buildForm(quote, product);
  form.querySelector("button[type=submit]").textContent = `Submit order, ${money(quote.premium.total, quote.premium.currency)}`;
  const changed = quote.premium.total !== before;
  const note = h("p", {class: "alert ok", role: "status", text: changed
    ? `Your new price is ${money(quote.premium.total, quote.premium.currency)} (it was ${money(before, quote.premium.currency)}). Check it and submit again.`
    : `Your price is still ${money(quote.premium.total, quote.premium.currency)}, held until ${when(quote.valid_until)}.`});
  $("#expired").replaceWith(note);
  if (!form.isConnected) note.after(form);
  previewDiscounts();
}

async function load() {
  const loading = $("#loading");
  const alert = $("#alert");
  if (!quoteId) {
    loading.hidden = true;
    return root.replaceChildren(h("p", {}, "Choose a product and get a quote first. ", h("a", {href: "index.html", text: "See products"})));
  }
  try {
    const quote = await api(`/quotes/${encodeURIComponent(quoteId)}`);
    const product = await api(`/products/${encodeURIComponent(quote.product_id)}`);
    current = quote;
    const parts = [summary(quote, product)];
    const earlier = sessionStorage.getItem(`insuremall.order.${quote.quote_id}`);
    if (earlier) {
      parts.push(h("p", {class: "alert info"}, "You already placed an order with this quote. ",
        h("a", {href: `order-status.html?id=${encodeURIComponent(earlier)}`, text: "See its status"}), "."));
    }
    parts.push(quote.expired ? expiredBox(() => requote(product)) : buildForm(quote, product));
    root.replaceChildren(...parts);
    previewDiscounts();
  } catch (err) {
    if (err.status === 401) return goToSignIn();
    if (err.status === 404) err.message = "We could not find this quote. Please get a new quote from the product page.";
    showError(alert, err, load);
  } finally {
    loading.hidden = true;
  }
}

if (session) load();
