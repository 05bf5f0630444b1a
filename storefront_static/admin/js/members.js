// Members: find a member by e-mail, invitation code or member id, and see what the rewards programme
// holds for them: profile (masked), inviter and invitees, addresses, latest orders, promotion-fee
// balances and ledger, points, and their agent licence (which operators verify).
import {append, CHINA_TIME_NOTE, clearAlert, clearFieldErrors, day, empty, field, fill, h, input, money, setBusy, setTitle, showAlert, showFieldErrors, when} from "./dom.js";
import {auditTable} from "./audit.js";
import {call} from "./shared.js";
import {cents, facts, loadError, shortId} from "./rewards.js";

// Each balance move is two entries (out of one balance, into another); the label says which half.
const KIND = {
  earn: "Earned (pending)", release: "Released (leaves pending)", available: "Released (now available)",
  void: "Voided (cancelled in cooling-off)", clawback: "Clawed back (refund after cooling-off)",
  reserve: "Withdrawal requested (leaves available)", reserved: "Withdrawal requested (reserved)",
  unreserve: "Withdrawal rejected (leaves reserved)", returned: "Withdrawal rejected (back to available)",
  payout: "Withdrawal paid (leaves reserved)", withdrawn: "Withdrawal paid (withdrawn)", adjust: "Adjustment",
};
const BALANCE = {pending: "Pending", available: "Available", reserved: "Reserved", withdrawn: "Withdrawn"};
const ORDER = {pending_payment: "Awaiting payment", paid: "Paid", issued: "Issued", declined: "Declined", cancelled: "Cancelled", failed: "Failed", refunded: "Refunded"};
const POINTS_KIND = {earn: "Earned", spend: "Spent at checkout", spend_reversal: "Given back (order not issued)", reserve: "Reserved", release: "Released",
  expire: "Expired", reverse: "Reversed (policy cancelled)", debit: "Taken back", confirm: "Spent"};

function plainFind(err, q) {
  if (err.status === 422) return "Enter an e-mail address, an invitation code or a member id.";
  if (err.status === 404) return `No member matches “${q}”.`;
  return err.message;
}

export async function render(view, args, query) {
  if (args.id) return detail(view, args.id);
  setTitle("Members");
  const q = input({type: "search", name: "q", value: query.get("q") || "", spellcheck: false, autocomplete: "off", required: true});
  const go = h("button", {type: "submit", text: "Find member"});
  const alert = h("div", {hidden: true});
  const results = h("div", {"aria-live": "polite"});
  const form = h("form", {class: "filters-bar", role: "search", novalidate: true},
    field("E-mail, invitation code or member id", q, {path: "q", hint: "A full e-mail address (not part of one), an 8-character code or the id"}),
    h("div", {class: "actions"}, go));

  async function find(text) {
    clearAlert(alert);
    clearFieldErrors(form);
    results.replaceChildren();
    if (!text) return void showFieldErrors(form, {q: "Enter an e-mail address, invitation code or member id"});
    history.replaceState(null, "", `#/members?q=${encodeURIComponent(text)}`);
    setBusy(go, true, "Finding…");
    try {
      const data = await call(`/admin/members?${new URLSearchParams({q: text})}`);
      const found = data.members || [];
      fill(results, h("p", {class: "muted", role: "status", text: found.length ? `${found.length} member${found.length === 1 ? "" : "s"} found.` : `No member matches “${text}”.`}),
        found.length ? h("div", {class: "table-wrap"}, h("table", {class: "list"},
          h("caption", {class: "sr-only", text: "Members found"}),
          h("thead", {}, h("tr", {}, ["Member", "E-mail", "Phone", "Invitation code", "Invitees", "Member since"].map((t, i) => h("th", {scope: "col", class: i === 4 ? "num" : null, text: t})))),
          h("tbody", {}, found.map((m) => h("tr", {},
            h("td", {}, h("a", {href: `#/members/${encodeURIComponent(m.member_id)}`, text: m.display_name || m.member_id}), h("div", {class: "muted small mono", text: m.member_id})),
            h("td", {class: "mono", text: m.email || "—"}),
            h("td", {class: "mono", text: m.phone || "—"}),
            h("td", {class: "mono", text: m.invite_code || "—"}),
            h("td", {class: "num", text: String(m.invitees_count ?? 0)}),
            h("td", {text: day(m.created_at)}))))))
          : null);
    } catch (err) {
      if (err.status === 401 || err.status === 403) return;
      if (err.status === 422) showFieldErrors(form, {q: plainFind(err, text)});
      else results.replaceChildren(loadError(err, "Member search", () => find(text)));
    } finally {
      setBusy(go, false);
    }
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); find(q.value.trim()); });
  append(view, h("h1", {text: "Members"}),
    h("p", {class: "muted", text: "Find a member to see their invitations, orders, promotion fees, points and agent licence. Personal data is shown masked."}),
    form, alert, results);
  if (q.value.trim()) await find(q.value.trim());
  else q.focus();
}

const section = (id, title, ...body) => h("section", {class: "card", "aria-labelledby": id}, h("h2", {id, text: title}), body);

async function detail(view, id) {
  setTitle("Member");
  const path = `/admin/members/${encodeURIComponent(id)}`;
  let data, orders;
  try {
    // The member (distribution) and their latest orders (checkout) are two reads.
    [data, orders] = await Promise.all([call(path), call(`${path}/orders`)]);
  } catch (err) {
    if (err.status === 401 || err.status === 403) return;
    append(view, h("p", {class: "crumbs"}, h("a", {href: "#/members", text: "Members"})), h("h1", {text: "Member"}),
      err.status === 404 && !/^no route/i.test(err.message) ? h("p", {class: "alert error", role: "alert", text: `No member has the id “${id}”.`}) : loadError(err, "Member details", () => location.reload()));
    return;
  }
  const m = data.member || {};
  setTitle(`Member ${m.display_name || id}`);
  const outcome = h("div", {"aria-live": "polite"});
  const licenceSlot = h("div");
  const feesSlot = h("div");
  const ledgerSlot = h("div");
  const pointsSlot = h("div");
  const auditSlot = h("div");

  append(view,
    h("p", {class: "crumbs"}, h("a", {href: "#/members", text: "Members"}), " / ", m.display_name || id),
    h("div", {class: "page-head"}, h("div", {}, h("h1", {id: "member-heading", tabindex: "-1"}, m.display_name || "Member", " ", h("span", {class: "muted small mono", text: id})),
      h("p", {class: "muted small", text: CHINA_TIME_NOTE}))),
    outcome,
    h("div", {class: "member-grid"},
      section("profile-h", "Profile", facts([
        ["E-mail", h("span", {class: "mono", text: m.email || "—"})],
        ["Phone", h("span", {class: "mono", text: m.phone || "—"})],
        ["Member since", day(m.created_at)],
        ["Invitation code", h("span", {class: "mono", text: m.invite_code || "—"})],
        ["Invited by", data.inviter ? h("span", {}, h("a", {href: `#/members/${encodeURIComponent(data.inviter.member_id)}`, text: data.inviter.display_name || shortId(data.inviter.member_id)}),
          data.inviter.email ? h("span", {class: "muted mono", text: ` · ${data.inviter.email}`}) : null, m.bound_at ? h("span", {class: "muted", text: ` · since ${day(m.bound_at)}`}) : null) : "Nobody (joined directly)"],
        ["Invitees", String(data.invitees_count ?? 0)],
        ["Points", String(data.points ?? 0)],
      ])),
      section("licence-h", "Agent licence", licenceSlot)),
    section("fees-h", "Promotion fees", feesSlot),
    section("ledger-h", "Promotion-fee ledger", ledgerSlot),
    section("points-h", "Points", pointsSlot),
    section("invitees-h", `Invitees (${data.invitees_count ?? 0})`, inviteesView(data)),
    section("orders-h", "Latest orders", ordersView(orders.orders || [])),
    section("addresses-h", "Addresses", addressesView(data.addresses || [])),
    h("section", {"aria-labelledby": "member-audit-h"}, h("h2", {id: "member-audit-h", text: "Audit trail for this member"}), auditSlot));

  paintLicence(m.agent_licence);
  function paintLicence(licence) {
    const status = licence ? (licence.verified ? h("span", {class: "badge live", text: "Verified"}) : h("span", {class: "badge ended", text: "Not verified"}))
      : h("span", {class: "badge", text: "None on file"});
    const number = input({name: "licence_no", spellcheck: false, autocomplete: "off", maxlength: "40", required: true});
    const alert = h("div", {hidden: true});
    const verify = h("button", {type: "submit", value: "verify", text: "Mark verified"});
    const unverify = h("button", {type: "submit", value: "unverify", class: "secondary", text: "Mark not verified"});
    const form = h("form", {novalidate: true, class: "licence-form"},
      field("Licence number", number, {path: "licence_no", hint: "As on the licence document, 6-40 letters, digits or -. Needed for either action."}),
      alert, h("div", {class: "actions"}, verify, unverify));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const verified = (event.submitter || verify).value === "verify";
      clearFieldErrors(form);
      clearAlert(alert);
      const no = number.value.trim();
      if (!/^[A-Za-z0-9-]{6,40}$/.test(no)) return void showFieldErrors(form, {licence_no: "Enter the licence number: 6-40 letters, digits or -"});
      const button = verified ? verify : unverify;
      setBusy(button, true, "Saving…");
      try {
        const saved = await call(`${path}/licence`, {method: "POST", body: {licence_no: no, verified}});
        paintLicence(saved.agent_licence);
        const done = h("p", {class: "alert ok", role: "status", tabindex: "-1", text: verified ? "Licence verified: this member's promotion fees can be paid in cash." : "Licence marked not verified: where the programme requires a licence, this member's fees are paid in points."});
        outcome.replaceChildren(done);
        done.focus();
        loadAudit();
      } catch (err) {
        if (err.status === 401 || err.status === 403) return;
        setBusy(button, false);
        showFieldErrors(form, err.fields);
        showAlert(alert, err.status === 422 ? "Please correct the licence number." : loadError(err, "Licence verification").textContent);
      }
    });
    fill(licenceSlot,
      h("p", {}, status, licence ? h("span", {class: "mono", text: ` ${licence.licence_no}`}) : null),
      licence && licence.verified_at ? h("p", {class: "muted small", text: `${licence.verified ? "Verified" : "Changed"} ${when(licence.verified_at)}${licence.verified_by ? ` by ${licence.verified_by}` : ""}`}) : null,
      form);
  }

  async function loadFees() {
    try {
      const f = await call(`${path}/commissions`);
      feesSlot.replaceChildren(h("div", {class: "figures"}, [
        ["Today", f.today_cents], ["This month", f.month_cents], ["Total earned", f.total_cents],
        ["Pending", f.pending_cents], ["Available", f.available_cents], ["Reserved", f.reserved_cents], ["Withdrawn", f.withdrawn_cents],
      ].map(([label, value]) => h("div", {class: "figure"}, h("span", {class: "muted small", text: label}), h("strong", {text: cents(value)})))));
    } catch (err) {
      if (err.status === 401 || err.status === 403) return;
      const b = data.balance || {};
      fill(feesSlot, loadError(err, "The promotion-fee dashboard"),
        Object.keys(b).length ? facts(Object.entries(BALANCE).map(([k, label]) => [label, cents(b[`${k}_cents`])])) : null);
    }
  }

  let ledgerRows = [];
  async function loadLedger(after) {
    ledgerSlot.setAttribute("aria-busy", "true");
    try {
      const page = await call(`${path}/commissions/entries?${new URLSearchParams({limit: "20", ...(after ? {after} : {})})}`);
      ledgerRows = after ? ledgerRows.concat(page.entries || []) : page.entries || [];
      fill(ledgerSlot, ledgerRows.length ? h("div", {class: "table-wrap"}, h("table", {class: "list"},
        h("caption", {class: "sr-only", text: "Promotion-fee ledger, newest first"}),
        h("thead", {}, h("tr", {}, ["When", "Entry", "Policy", "Level", "Balance", "Amount"].map((t, i) => h("th", {scope: "col", class: i === 5 ? "num" : null, text: t})))),
        h("tbody", {}, ledgerRows.map((e) => h("tr", {},
          h("td", {class: "nowrap small", text: when(e.at)}),
          h("td", {}, KIND[e.kind] || e.kind, e.detail && e.detail.settlement === "points" ? h("div", {class: "muted small", text: "settled in points (no verified licence)"}) : null,
            e.detail && e.detail.rule ? h("div", {class: "muted small mono", text: e.detail.rule}) : null),
          h("td", {class: "mono", text: e.policy_no || (e.withdrawal_id ? `withdrawal ${e.withdrawal_id}` : "—")}),
          h("td", {text: e.level ? `Level ${e.level}` : "—"}),
          h("td", {text: BALANCE[e.balance] || e.balance}),
          h("td", {class: `num ${e.amount_cents < 0 ? "neg" : ""}`.trim(), text: cents(e.amount_cents)})))))) : empty("No promotion fees yet."),
      page.next ? h("div", {class: "actions"}, h("button", {type: "button", class: "secondary", text: "Show older entries", onclick: () => loadLedger(page.next)})) : null);
    } catch (err) {
      if (err.status === 401 || err.status === 403) return;
      ledgerSlot.replaceChildren(loadError(err, "The promotion-fee ledger", () => loadLedger()));
    } finally {
      ledgerSlot.removeAttribute("aria-busy");
    }
  }

  let pointRows = [];
  async function loadPoints(after) {
    pointsSlot.setAttribute("aria-busy", "true");
    try {
      const p = await call(`${path}/points?${new URLSearchParams({limit: "20", ...(after ? {after} : {})})}`);
      pointRows = after ? pointRows.concat(p.history || []) : p.history || [];
      const t = p.totals || {};
      fill(pointsSlot,
        facts([
          ["Balance", h("strong", {text: `${p.points ?? 0} points`})],
          p.expiring_soon ? ["Expiring soon", `${p.expiring_soon.points} points on ${day(p.expiring_soon.on)}`] : null,
          Object.keys(t).length ? ["Totals", `earned ${t.earned_total ?? 0} · spent ${t.spent_total ?? 0} · expired ${t.expired_total ?? 0} · reversed ${t.reversed_total ?? 0} · taken back ${t.debited_total ?? 0}`] : null,
        ]),
        pointRows.length ? h("div", {class: "table-wrap"}, h("table", {class: "list"},
          h("caption", {class: "sr-only", text: "Points history, newest first"}),
          h("thead", {}, h("tr", {}, ["When", "What", "Reason", "Points"].map((x, i) => h("th", {scope: "col", class: i === 3 ? "num" : null, text: x})))),
          h("tbody", {}, pointRows.map((e) => h("tr", {},
            h("td", {class: "nowrap small", text: when(e.at)}),
            h("td", {text: POINTS_KIND[e.kind] || e.kind}),
            h("td", {class: "small", text: e.reason || ""}),
            h("td", {class: "num", text: String(e.points)})))))) : empty("No points history yet."),
        p.next ? h("div", {class: "actions"}, h("button", {type: "button", class: "secondary", text: "Show older points", onclick: () => loadPoints(p.next)})) : null);
    } catch (err) {
      if (err.status === 401 || err.status === 403) return;
      pointsSlot.replaceChildren(loadError(err, "Points", () => loadPoints()));
    } finally {
      pointsSlot.removeAttribute("aria-busy");
    }
  }

  async function loadAudit() {
    try {
      const trail = await call(`/admin/audit?${new URLSearchParams({entity: `member:${id}`, limit: "50"})}`);
      auditSlot.replaceChildren((trail.entries || []).length ? auditTable(trail.entries, {showEntity: false}) : empty("No operator changes recorded for this member yet."));
    } catch (err) {
      if (err.status === 401 || err.status === 403) return;
      auditSlot.replaceChildren(h("p", {class: "alert error", text: `The audit trail could not be loaded: ${err.message}`}));
    }
  }

  await Promise.all([loadFees(), loadLedger(), loadPoints(), loadAudit()]);
  $heading(view)?.focus();
}

const $heading = (view) => view.querySelector("#member-heading");

function inviteesView(data) {
  const list = data.invitees || [];
  if (!list.length) return empty("No invitees yet.");
  return [h("div", {class: "table-wrap"}, h("table", {class: "list"},
    h("caption", {class: "sr-only", text: "Invitees (level 1), masked"}),
    h("thead", {}, h("tr", {}, ["Invitee", "E-mail", "Bound"].map((t) => h("th", {scope: "col", text: t})))),
    h("tbody", {}, list.map((i) => h("tr", {},
      h("td", {}, h("a", {href: `#/members/${encodeURIComponent(i.member_id)}`, text: i.display_name || shortId(i.member_id)})),
      h("td", {class: "mono", text: i.email || "—"}),
      h("td", {text: day(i.bound_at)})))))),
  data.invitees_next ? h("p", {class: "muted small", text: `Showing the first ${list.length} of ${data.invitees_count}.`}) : null];
}

function ordersView(orders) {
  if (!orders.length) return empty("No orders yet.");
  const source = {bound: "bound inviter", link: "shared link", none: "none"};
  return h("div", {class: "table-wrap"}, h("table", {class: "list"},
    h("caption", {class: "sr-only", text: "Latest 20 orders"}),
    h("thead", {}, h("tr", {}, ["Order", "Product", "Status", "Premium", "Policy", "Attributed to"].map((t, i) => h("th", {scope: "col", class: i === 3 ? "num" : null, text: t})))),
    h("tbody", {}, orders.map((o) => {
      const a = o.attribution || {};
      return h("tr", {},
        h("td", {}, h("span", {class: "mono small", text: o.order_id}), h("div", {class: "muted small", text: when(o.created_at)})),
        h("td", {text: o.product_name || o.product_id}),
        h("td", {text: ORDER[o.status] || o.status}),
        h("td", {class: "num", text: o.premium_cents !== undefined ? cents(o.premium_cents) : money(o.premium)}),
        h("td", {}, o.policy_no ? h("a", {href: `#/policies/${encodeURIComponent(o.policy_no)}`, class: "mono", text: o.policy_no}) : "—"),
        h("td", {class: "small"}, a.level1 ? [h("a", {href: `#/members/${encodeURIComponent(a.level1)}`, text: `L1 ${shortId(a.level1)}`}),
          a.level2 ? [" · ", h("a", {href: `#/members/${encodeURIComponent(a.level2)}`, text: `L2 ${shortId(a.level2)}`})] : null,
          h("div", {class: "muted", text: source[a.source] || a.source || ""})] : "—"));
    }))));
}

function addressesView(addresses) {
  if (!addresses.length) return empty("No addresses on file.");
  return h("ul", {class: "plain-list addresses"}, addresses.map((a) => h("li", {},
    h("strong", {text: a.recipient || ""}), h("span", {class: "mono muted", text: a.phone ? ` · ${a.phone}` : ""}),
    a.is_default ? h("span", {class: "badge", text: "Default"}) : null,
    h("div", {text: [a.province, a.city, a.district, a.line].filter(Boolean).join(" ")}))));
}
