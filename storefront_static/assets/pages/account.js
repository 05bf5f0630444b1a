// User center: profile, family members, addresses, my orders, my policies, renewals, messages. Each part loads on its own,
// so one failing shows its own "Try again" and the rest still work.
import {api} from "../api.js";
import {goToSignIn, rememberMember, requireSession} from "../session.js";
import {$, clearFieldErrors, cny, day, dayOf, h, hideAlert, list, money, setBusy, showAlert, showError, showFieldErrors, STATUS_LABELS, timeNote,
  when} from "../ui.js";

const session = requireSession();
const RELATIONS = [["spouse", "Spouse"], ["child", "Child"], ["parent", "Parent"]];
const relationName = (r) => (RELATIONS.find(([v]) => v === r) || [r, r])[1];
const body = (id) => $(`#${id} .body`);

function input(name, label, attrs = {}, hint) {
  const id = `${attrs.form || "f"}-${name}`;
  delete attrs.form;
  return h("div", {class: "field", "data-field": name},
    h("label", {for: id, text: label}),
    hint ? h("p", {class: "hint", id: id + "-hint", text: hint}) : null,
    h("input", {id, name, type: "text", "aria-describedby": hint ? id + "-hint" : null, ...attrs}));
}

async function section(id, render) {
  const box = body(id);
  try {
    box.replaceChildren(...[await render()].flat());
  } catch (err) {
    if (err.status === 401) return goToSignIn();
    const alert = h("div");
    box.replaceChildren(alert);
    showError(alert, err, () => section(id, render));
  }
}

// A form that posts, shows field messages from the server, and calls done() on success.
function wire(form, send, done) {
  const alert = h("div", {hidden: true});
  form.querySelector(".actions").before(alert);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    hideAlert(alert);
    const button = form.querySelector("button[type=submit]");
    setBusy(button, true, "Saving…");
    try {
      const result = await send(new FormData(form));
      await done(result);
    } catch (err) {
      if (err.status === 401) return goToSignIn();
      setBusy(button, false);
      const rest = showFieldErrors(form, err.fields);
      if (err.status !== 422 || Object.keys(rest).length) showError(alert, err, () => form.requestSubmit());
      if (Object.keys(rest).length) alert.append(list(Object.values(rest)));
    }
  });
}

// "Remove" asks once more in place, without a pop-up.
function removeButton(what, remove) {
  const cell = h("div", {class: "actions"});
  const ask = h("button", {type: "button", class: "danger small", text: "Remove", "aria-label": `Remove ${what}`});
  ask.addEventListener("click", () => {
    const yes = h("button", {type: "button", class: "danger small", text: `Yes, remove ${what}`});
    const no = h("button", {type: "button", class: "secondary small", text: "Keep"});
    no.addEventListener("click", () => { cell.replaceChildren(ask); ask.focus(); });
    yes.addEventListener("click", async () => {
      setBusy(yes, true, "Removing…");
      try { await remove(); } catch (err) {
        if (err.status === 401) return goToSignIn();
        setBusy(yes, false);
        cell.append(h("p", {class: "field-error", role: "alert", text: err.message}));
      }
    });
    cell.replaceChildren(yes, no);
    no.focus();
  });
  cell.append(ask);
  return cell;
}

// ---------- profile ----------
async function profile() {
  const {member} = await api("/members/me");
  rememberMember(member);
  const form = h("form", {novalidate: true},
    input("display_name", "Display name", {form: "p", value: member.display_name || "", maxlength: "60", autocomplete: "nickname"}),
    input("phone", "Mobile number", {form: "p", type: "tel", inputmode: "numeric", maxlength: "11", autocomplete: "tel-national"},
      member.phone ? `Now ${member.phone}. Leave empty to keep it.` : "11-digit mainland mobile number, e.g. 13800138000."),
    h("div", {class: "actions"}, h("button", {type: "submit", text: "Save profile"})));
  wire(form, (data) => {
    const change = {display_name: String(data.get("display_name")).trim()};
    const phone = String(data.get("phone")).replace(/[\s-]/g, "");
    if (phone) change.phone = phone;
    return api("/members/me", {method: "PUT", body: change});
  }, async () => {
    await section("profile", profile);
    body("profile").prepend(h("p", {class: "alert ok", role: "status", text: "Profile saved."}));
  });
  return [
    h("dl", {class: "facts"},
      h("dt", {text: "E-mail"}), h("dd", {text: member.email}),
      h("dt", {text: "Display name"}), h("dd", {text: member.display_name || "Not set"}),
      h("dt", {text: "Mobile"}), h("dd", {text: member.phone || "Not set"})),
    h("details", {}, h("summary", {text: "Edit profile"}), form)];
}

// ---------- family ----------
async function family() {
  const {family: people} = await api("/members/me/family");
  const form = h("form", {novalidate: true},
    input("name", "Full name", {form: "fm", maxlength: "60", autocomplete: "off"}),
    h("div", {class: "field", "data-field": "relation"},
      h("label", {for: "fm-relation", text: "Relation to you"}),
      h("select", {id: "fm-relation", name: "relation"}, RELATIONS.map(([value, text]) => h("option", {value, text})))),
    input("id_number", "PRC ID number", {form: "fm", maxlength: "18", autocomplete: "off"}, "18 characters: 17 digits, then a digit or X."),
    h("div", {class: "actions"}, h("button", {type: "submit", text: "Save family member"})));
  wire(form, (data) => api("/members/me/family", {method: "POST", body: {name: String(data.get("name")).trim(),
    relation: data.get("relation"), id_type: "prc_id", id_number: String(data.get("id_number")).trim().toUpperCase()}}),
  async (saved) => {
    await section("family", family);
    body("family").prepend(h("p", {class: "alert ok", role: "status", text: `${saved.name} saved. You can pick them when you buy.`}));
  });
  return [
    people.length
      ? h("ul", {class: "items"}, people.map((f) => h("li", {},
        h("div", {class: "what"}, h("strong", {text: f.name}), ` — ${relationName(f.relation)}`,
          h("div", {class: "muted", text: `ID ${f.id_number}${f.birth_date ? ", born " + day(f.birth_date) : ""}`})),
        removeButton(f.name, async () => { await api(`/members/me/family/${encodeURIComponent(f.family_member_id)}`, {method: "DELETE"}); await section("family", family); }))))
      : h("p", {class: "muted", text: "No family members saved yet. Save them once and pick them when you buy cover for them."}),
    h("details", {open: !people.length || null}, h("summary", {text: "Add a family member"}), form)];
}

// ---------- addresses ----------
async function addresses() {
  const {addresses: saved} = await api("/members/me/addresses");
  const form = h("form", {novalidate: true},
    h("div", {class: "grid2"},
      input("recipient", "Recipient", {form: "ad", maxlength: "60", autocomplete: "name"}),
      input("phone", "Mobile number", {form: "ad", type: "tel", inputmode: "numeric", maxlength: "11", autocomplete: "tel-national"}),
      input("province", "Province", {form: "ad", maxlength: "40", autocomplete: "address-level1"}),
      input("city", "City", {form: "ad", maxlength: "40", autocomplete: "address-level2"}),
      input("district", "District", {form: "ad", maxlength: "40", autocomplete: "address-level3"}),
      input("postcode", "Postcode", {form: "ad", inputmode: "numeric", maxlength: "6", autocomplete: "postal-code"})),
    input("line", "Street address", {form: "ad", maxlength: "200", autocomplete: "street-address"}),
    h("div", {class: "field", "data-field": "is_default"},
      h("label", {class: "choice"}, h("input", {type: "checkbox", name: "is_default", checked: !saved.length}), "Make this my default address")),
    h("div", {class: "actions"}, h("button", {type: "submit", text: "Save address"})));
  wire(form, (data) => {
    const v = (k) => String(data.get(k) || "").trim();
    return api("/members/me/addresses", {method: "POST", body: {recipient: v("recipient"), phone: v("phone").replace(/[\s-]/g, ""),
      province: v("province"), city: v("city"), district: v("district"), line: v("line"), postcode: v("postcode"), is_default: data.has("is_default")}});
  }, async () => {
    await section("addresses", addresses);
    body("addresses").prepend(h("p", {class: "alert ok", role: "status", text: "Address saved."}));
  });
  return [
    saved.length
      ? h("ul", {class: "items"}, saved.map((a) => h("li", {},
        h("div", {class: "what"}, h("strong", {text: a.recipient}), ` ${a.phone} `, a.is_default ? h("span", {class: "badge", text: "Default"}) : null,
          h("div", {class: "muted", text: `${a.line}, ${a.district}, ${a.city}, ${a.province} ${a.postcode}`})),
        removeButton(`the address for ${a.recipient}`, async () => { await api(`/members/me/addresses/${encodeURIComponent(a.address_id)}`, {method: "DELETE"}); await section("addresses", addresses); }))))
      : h("p", {class: "muted", text: "No addresses saved yet."}),
    h("details", {}, h("summary", {text: "Add an address"}), form)];
}

// ---------- orders and policies ----------
async function orders() {
  const data = await api("/orders");
  if (!data.orders.length) return h("p", {}, "You have no orders yet. ", h("a", {href: "index.html", text: "Find insurance"}), ".");
  return h("div", {class: "table-wrap"}, h("table", {},
    h("thead", {}, h("tr", {}, h("th", {scope: "col", text: "Product"}), h("th", {scope: "col", text: "Status"}),
      h("th", {scope: "col", class: "num", text: "Premium"}))),
    h("tbody", {}, data.orders.map((o) => h("tr", {},
      h("td", {}, h("a", {href: `order-status.html?id=${encodeURIComponent(o.order_id)}`, text: o.product_name}),
        h("div", {class: "muted", text: `${o.plan}, ${o.term}, ${dayOf(o.created_at)}`})),
      h("td", {}, h("span", {class: `badge ${o.status}`, text: o.status_label})),
      h("td", {class: "num", text: money(o.premium.total, o.premium.currency)}))))));
}

async function policies() {
  const data = await api("/policies");
  if (!data.policies.length) return h("p", {}, "You have no policies yet. ", h("a", {href: "recommend.html", text: "Find the right cover"}), ".");
  return h("ul", {class: "products policies"}, data.policies.map((p) => h("li", {class: "card"},
    h("h3", {}, h("a", {href: `policy.html?no=${encodeURIComponent(p.policy_no)}`, text: p.policy_no})),
    h("p", {}, h("strong", {text: p.product_name}), ` — ${p.plan}, ${p.insurer_name} `,
      h("span", {class: `badge ${p.status}`, text: STATUS_LABELS[p.status] || p.status})),
    h("dl", {class: "facts"},
      h("dt", {text: "Insured"}), h("dd", {text: (p.insured || []).join(", ")}),
      h("dt", {text: "Cover"}), h("dd", {text: `${day(p.start_date)} to ${day(p.end_date)}`}),
      h("dt", {text: "Sum insured"}), h("dd", {text: cny(p.sum_insured, p.currency)}),
      h("dt", {text: "Premium"}), h("dd", {text: money(p.premium, p.currency)})))));
}

// ---------- renewals ----------
// An order that ended without a policy no longer holds the renewal: the customer can start again.
const ORDER_ENDED = new Set(["cancelled", "declined", "failed"]);
const RENEWAL_LABELS = {offered: "Renewal offered", renewed: "Renewed", not_renewable: "Not renewable", withdrawn: "Offer withdrawn"};

// A section whose route this deployment does not have yet shows its empty state, not an error.
async function optional(path, key) {
  try {
    return (await api(path))[key] || [];
  } catch (err) {
    if (err.status === 404) return [];
    throw err;
  }
}

async function renewals() {
  const offers = await optional("/renewals", "renewals");
  if (!offers.length) {
    return h("p", {class: "muted", text: "No renewals right now. We offer a renewal here 30 days before a policy ends, and send you a message."});
  }
  return h("ul", {class: "offers"}, offers.map(renewalItem));
}

function renewalItem(r) {
  const cur = r.premium?.currency || "CNY";
  const item = h("li", {class: "card", "data-policy": r.policy_no},
    h("h3", {}, `${r.product_name} — ${r.plan_name || r.plan}`),
    h("p", {}, "Renewal of policy ", h("a", {href: `policy.html?no=${encodeURIComponent(r.policy_no)}`, text: r.policy_no}), " ",
      h("span", {class: `badge ${r.status}`, text: RENEWAL_LABELS[r.status] || r.status})),
    h("dl", {class: "facts"},
      r.term_label ? [h("dt", {text: "Term"}), h("dd", {text: r.term_label})] : null,
      r.end_date ? [h("dt", {text: "New cover"}), h("dd", {text: `${day(r.start_date)} to ${day(r.end_date)}`})] : null,
      r.age !== null && r.age !== undefined ? [h("dt", {text: "Age at renewal"}), h("dd", {text: String(r.age)})] : null,
      r.premium ? [h("dt", {text: "Premium"}), h("dd", {text: money(r.premium.total, cur)})] : null,
      r.status === "offered" && r.valid_until ? [h("dt", {text: "Renew by"}), h("dd", {text: day(r.valid_until)})] : null));
  const actions = h("div", {class: "actions"});
  item.append(actions);
  if (r.status === "renewed" && r.renewed_by) {
    actions.append(h("p", {}, "Renewed by policy ", h("a", {href: `policy.html?no=${encodeURIComponent(r.renewed_by)}`, text: r.renewed_by}), "."));
  } else if (r.status === "not_renewable") {
    actions.append(h("p", {}, h("strong", {text: "Cannot be renewed: "}), r.reason || "The insurer does not offer a renewal for this policy."),
      h("p", {}, `Your cover ends on ${day(r.valid_until)}. `, h("a", {href: "recommend.html", text: "Find other cover"}), " before then to stay covered."));
  } else if (r.status === "withdrawn") {
    actions.append(h("p", {}, h("strong", {text: "Offer withdrawn: "}), r.reason || "The policy is no longer in force."));
  } else if (r.status === "offered" && r.order_id && !ORDER_ENDED.has(r.order_status)) {
    actions.append(h("a", {class: "button", href: `order-status.html?id=${encodeURIComponent(r.order_id)}`, text: "Continue renewal"}),
      r.order_status ? h("span", {class: "muted", text: ` ${STATUS_LABELS[r.order_status] || r.order_status}`}) : null);
  } else if (r.status === "offered") {
    const start = h("button", {type: "button", text: "Renew", "aria-label": `Renew policy ${r.policy_no}`, "aria-expanded": "false"});
    start.addEventListener("click", () => {
      const open = item.querySelector("form");
      if (open) { open.querySelector("input")?.focus(); return; }
      const form = renewalForm(r, cur, () => { form.remove(); start.setAttribute("aria-expanded", "false"); start.focus(); });
      item.append(form);
      start.setAttribute("aria-expanded", "true");
      form.querySelector("h4").focus();
    });
    actions.append(start);
  }
  return item;
}

function healthQuestion(q, no) {
  const key = `health_answers.${q.code}`;
  return h("fieldset", {"data-field": key},
    h("legend", {text: q.text}),
    h("div", {class: "row"},
      h("label", {class: "choice"}, h("input", {type: "radio", name: key, value: "yes", id: `rn-${no}-${q.code}-yes`}), "Yes"),
      h("label", {class: "choice"}, h("input", {type: "radio", name: key, value: "no", id: `rn-${no}-${q.code}-no`}), "No")));
}

// The in-page confirmation: what the renewal costs and covers, the terms, and the health questions if asked again.
function renewalForm(r, cur, close) {
  const no = r.policy_no.replace(/[^a-z0-9]+/gi, "-");
  const questions = r.reunderwrite ? r.health_questions || [] : [];
  const alert = h("div", {hidden: true});
  const form = h("form", {novalidate: true, class: "renewal-confirm", "aria-labelledby": `rn-${no}-h`},
    h("h4", {id: `rn-${no}-h`, tabindex: "-1", text: `Confirm the renewal of ${r.policy_no}`}),
    h("p", {}, `New cover from ${day(r.start_date)} to ${day(r.end_date)}`, r.premium ? `, premium ${money(r.premium.total, cur)}` : "", "."),
    questions.length
      ? h("fieldset", {}, h("legend", {text: "Health questions about the insured person"}),
        h("p", {class: "hint", text: "The insurer asks again at renewal. Answer truthfully: a wrong answer can mean a claim is not paid."}),
        questions.map((q) => healthQuestion(q, no)))
      : null,
    h("div", {class: "field", "data-field": "accept_terms"},
      h("label", {class: "choice"}, h("input", {type: "checkbox", name: "accept_terms", id: `rn-${no}-terms`}),
        h("span", {}, "I have read and accept the policy terms (",
          h("a", {href: `product.html?id=${encodeURIComponent(r.product_id)}`, text: "see the product page"}), ")."))),
    alert,
    h("div", {class: "actions"},
      h("button", {type: "submit", text: r.premium ? `Renew and pay ${money(r.premium.total, cur)}` : "Renew"}),
      h("button", {type: "button", class: "secondary", text: "Not now", onclick: close})));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    hideAlert(alert);
    const answers = {};
    const problems = {};
    for (const q of questions) {
      const picked = form.querySelector(`input[name="health_answers.${q.code}"]:checked`);
      if (picked) answers[q.code] = picked.value === "yes";
      else problems[`health_answers.${q.code}`] = "Answer yes or no";
    }
    const accepted = form.elements.accept_terms.checked;
    if (!accepted) problems.accept_terms = "Read and accept the policy terms to renew";
    if (Object.keys(problems).length) {
      showAlert(alert, "Please correct the fields marked above.");
      showFieldErrors(form, problems);
      return;
    }
    const body = {accept_terms: true};
    if (r.reunderwrite) body.health_answers = answers;
    const button = form.querySelector("button[type=submit]");
    setBusy(button, true, "Starting the renewal…");
    try {
      const order = await api(`/policies/${encodeURIComponent(r.policy_no)}/renewal`, {method: "POST", body});
      location.href = `order-status.html?id=${encodeURIComponent(order.order_id)}`;
    } catch (err) {
      if (err.status === 401) return goToSignIn();
      setBusy(button, false);
      const rest = showFieldErrors(form, err.fields);
      if (err.status !== 422 || Object.keys(rest).length) showError(alert, err, () => form.requestSubmit());
      if (Object.keys(rest).length) alert.append(list(Object.values(rest)));
      // The offer changed since the page loaded (renewed elsewhere, ended): show it as it is now.
      if (err.status === 409) {
        alert.append(h("button", {type: "button", class: "secondary", text: "Show my renewals as they are now",
          onclick: () => section("renewals", renewals).then(() => $("#renewals-h").focus())}));
      }
    }
  });
  return form;
}

// ---------- messages ----------
async function messages() {
  const notes = await optional("/members/me/notifications", "notifications");
  if (!notes.length) return h("p", {class: "muted", text: "No messages yet. Renewal reminders and other news about your policies appear here."});
  return [timeNote(), h("ul", {class: "items messages"}, notes.map((n) => h("li", {},
    h("div", {class: "what"},
      h("strong", {}, n.link ? h("a", {href: n.link.replace(/^\//, ""), text: n.title}) : n.title),
      h("div", {text: n.body}),
      h("div", {class: "muted"}, h("time", {datetime: n.created_at, text: when(n.created_at)}))))))];
}

// The sections appear together once all have answered, so none of them jumps as another fills in.
if (session) {
  const parts = [["profile", profile], ["family", family], ["addresses", addresses], ["orders", orders], ["policies", policies],
    ["renewals", renewals], ["messages", messages]];
  Promise.allSettled(parts.map(([id, render]) => section(id, render))).then(() => {
    $("#loading").hidden = true;
    $("#sections").hidden = false;
    // A link to a section (account.html#policies) could not scroll there while the sections were hidden.
    if (/^#[a-z]+$/.test(location.hash)) $(location.hash)?.scrollIntoView();
  });
}
