// User center: profile, family members, addresses, my orders, my policies. Each part loads on its own,
// so one failing shows its own "Try again" and the rest still work.
import {api} from "../api.js";
import {goToSignIn, rememberMember, requireSession} from "../session.js";
import {$, clearFieldErrors, cny, day, h, hideAlert, list, money, setBusy, showError, showFieldErrors, STATUS_LABELS} from "../ui.js";

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
        h("div", {class: "muted", text: `${o.plan}, ${o.term}, ${day(o.created_at.slice(0, 10))}`})),
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

// The sections appear together once all have answered, so none of them jumps as another fills in.
if (session) {
  const parts = [["profile", profile], ["family", family], ["addresses", addresses], ["orders", orders], ["policies", policies]];
  Promise.allSettled(parts.map(([id, render]) => section(id, render))).then(() => {
    $("#loading").hidden = true;
    $("#sections").hidden = false;
    // A link to a section (account.html#policies) could not scroll there while the sections were hidden.
    if (/^#[a-z]+$/.test(location.hash)) $(location.hash)?.scrollIntoView();
  });
}
