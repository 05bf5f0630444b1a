// My rewards: promotion fees, invitations, withdrawals, points and coupons. Each part loads on its own,
// so one failing (or not offered by this deployment yet) shows its own state and the rest still work.
import {api} from "../api.js";
import {goToSignIn, requireSession} from "../session.js";
import {$, cents, clearFieldErrors, day, h, hideAlert, list, setBusy, showAlert, showError, showFieldErrors, uuid, when} from "../ui.js";

const session = requireSession();
const body = (id) => $(`#${id} .body`);
const PAGE = 10;

const FEE_KINDS = {
  earn: "Earned, pending cooling-off",
  release: "Cooling-off ended",
  available: "Now available",
  void: "Cancelled in cooling-off",
  clawback: "Taken back after a refund",
  reserve: "Set aside for a withdrawal",
  reserved: "Withdrawal in progress",
  unreserve: "Withdrawal rejected",
  returned: "Returned to available",
  payout: "Paid out",
  withdrawn: "Withdrawn",
  adjust: "Adjustment",
};
const BALANCES = {pending: "Pending", available: "Available", reserved: "Being withdrawn", withdrawn: "Withdrawn"};
const WITHDRAWAL_STATUS = {pending: "Waiting for approval", approved: "Approved, paying out", paid: "Paid", rejected: "Rejected, money returned"};
const COUPON_GROUPS = [["available", "Available"], ["used", "Used"], ["expired", "Expired"]];

const signed = (value) => (value > 0 ? "+" : value < 0 ? "\u2212" : "") + cents(Math.abs(value));
const signedPoints = (value) => (value > 0 ? "+" : value < 0 ? "\u2212" : "") + Math.abs(value).toLocaleString("en-US");
const points = (n) => `${Number(n || 0).toLocaleString("en-US")} point${Number(n) === 1 ? "" : "s"}`;
const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== "")).toString();

// The dashboard feeds both the fees and the withdraw parts; read once, again after a withdrawal.
let dashboardRead = null;
const dashboard = (fresh = false) => {
  if (fresh || !dashboardRead) dashboardRead = api("/members/me/commissions");
  return dashboardRead;
};

class Unavailable extends Error {}

// A route this deployment does not have yet (404/405 from the gateway) means "not available", not an error.
async function optional(promise) {
  try {
    return await promise;
  } catch (err) {
    if (err.status === 405 || (err.status === 404 && /^No route/.test(err.message))) throw new Unavailable();
    throw err;
  }
}

async function section(id, render) {
  const box = body(id);
  try {
    box.replaceChildren(...[await render()].flat(Infinity).filter(Boolean));
  } catch (err) {
    if (err instanceof Unavailable) {
      box.replaceChildren(h("p", {class: "empty", text: "This part of your rewards is not available yet. Please check back later."}));
      return;
    }
    if (err.status === 401) return goToSignIn();
    const alert = h("div");
    box.replaceChildren(alert);
    showError(alert, err, () => section(id, render));
  }
}

// A "More" button under a list: fetches the next page with the cursor until there is none.
function more(next, fetchPage, append, what) {
  let cursor = next;
  const status = h("p", {class: "hint", role: "status"});
  const button = h("button", {type: "button", class: "secondary small", text: `More ${what}`, hidden: !cursor});
  button.addEventListener("click", async () => {
    setBusy(button, true, "Loading…");
    try {
      const page = await fetchPage(cursor);
      append(page.items);
      cursor = page.next;
      setBusy(button, false);
      button.hidden = !cursor;
      status.textContent = `${page.items.length} more shown.${cursor ? "" : ` That is all your ${what}.`}`;
    } catch (err) {
      setBusy(button, false);
      if (err.status === 401) return goToSignIn();
      status.textContent = err.message;
    }
  });
  return h("div", {class: "actions more"}, button, status);
}

function field(name, label, attrs = {}, hint) {
  const id = `${attrs.form}-${name}`;
  delete attrs.form;
  return h("div", {class: "field", "data-field": name},
    h("label", {for: id, text: label}),
    hint ? h("p", {class: "hint", id: id + "-hint", text: hint}) : null,
    h("input", {id, name, type: "text", "aria-describedby": hint ? id + "-hint" : null, ...attrs}));
}

// A form that posts, puts the server's messages next to the fields, and calls done() on success.
function wire(form, send, done, busyText = "Saving…") {
  const alert = h("div", {hidden: true});
  form.querySelector(".actions").before(alert);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    hideAlert(alert);
    const button = form.querySelector("button[type=submit]");
    setBusy(button, true, busyText);
    try {
      const result = await send(new FormData(form), alert);
      if (result === undefined) { setBusy(button, false); return; }
      await done(result);
    } catch (err) {
      if (err.status === 401) return goToSignIn();
      setBusy(button, false);
      const rest = showFieldErrors(form, inYuan(err.fields));
      if (err.status !== 422 || Object.keys(rest).length) showError(alert, err, () => form.requestSubmit());
      if (Object.keys(rest).length) alert.append(list(Object.values(rest)));
    }
  });
}

// The server counts money in fen ("1000 fen (CNY 10.00)"); customers read yuan.
function inYuan(fields) {
  return Object.fromEntries(Object.entries(fields || {}).map(([k, v]) => [k,
    String(v).replace(/(\d+) fen \((CNY [\d.,]+)\)/g, "$2").replace(/\b(\d+) fen\b/g, (_, n) => cents(Number(n)))]));
}

const done = (id, render, text) => async () => {
  await section(id, render);
  body(id).prepend(h("p", {class: "alert ok", role: "status", text}));
};

// ---------- promotion fees ----------
function figure(label, value, cls) {
  return h("div", {class: `figure${cls ? " " + cls : ""}`}, h("dt", {text: label}), h("dd", {text: cents(value)}));
}

// One ledger line: what happened, where it came from (the policy masked, the level), which balance moved.
function feeItem(e) {
  const settledInPoints = e.detail?.settlement === "points";
  const what = [FEE_KINDS[e.kind] || e.kind, settledInPoints ? `settled in points${e.detail.points ? ` (${points(e.detail.points)})` : ""}` : null]
    .filter(Boolean).join(", ");
  const from = [e.policy_no ? `Policy ${e.policy_no}` : (e.withdrawal_id ? "Withdrawal" : null),
    e.level ? `level ${e.level}` : null, BALANCES[e.balance] ? `${BALANCES[e.balance]} balance` : null].filter(Boolean).join(" · ");
  return h("li", {},
    h("div", {class: "what"}, h("strong", {text: what}),
      from ? h("div", {class: "muted", text: from}) : null,
      h("div", {class: "muted"}, h("time", {datetime: e.at, text: when(e.at)}))),
    h("strong", {class: `amount ${e.amount_cents < 0 ? "minus" : "plus"}`, text: signed(e.amount_cents)}));
}

async function fees() {
  const [d, page] = await Promise.all([optional(dashboard()), optional(api(`/members/me/commissions/entries?limit=${PAGE}`))]);
  const rows = h("ul", {class: "items ledger", "aria-label": "Fee history, newest first"}, page.entries.map(feeItem));
  return [
    h("dl", {class: "figures"},
      figure("Today", d.today_cents), figure("This month", d.month_cents), figure("Total earned", d.total_cents),
      figure("Pending", d.pending_cents), figure("Available", d.available_cents, "key"),
      figure("Being withdrawn", d.reserved_cents), figure("Withdrawn", d.withdrawn_cents)),
    h("p", {class: "hint", text: "Fees are pending while the policy is in its cooling-off period, then available to withdraw. " +
      "A cancellation in cooling-off cancels the fee; a later refund takes back its share."}),
    page.entries.length
      ? [h("h3", {text: "Fee history"}), rows,
        more(page.next, async (after) => {
        const next = await api(`/members/me/commissions/entries?${query({limit: PAGE, after})}`);
        return {items: next.entries, next: next.next};
      }, (items) => rows.append(...items.map(feeItem)), "fee entries")]
      : h("p", {class: "empty", text: "No promotion fees yet. Share a product or invite friends: when someone you brought buys a policy, your fee appears here."}),
  ];
}

// ---------- invitations ----------
async function qrImage(img, url) {
  const {default: qrcode} = await import("../vendor/qrcode-generator.js");
  const code = qrcode(0, "M");
  code.addData(url);
  code.make();
  const cell = Math.max(2, Math.floor(164 / (code.getModuleCount() + 4)));
  img.src = code.createDataURL(cell, cell * 2);
  img.hidden = false;
}

async function copy(input, status) {
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.focus();
    input.select();
    document.execCommand("copy");
  }
  status.textContent = "Link copied. Paste it into a chat or message.";
}

function inviteeItem(i) {
  return h("li", {}, h("div", {class: "what"}, h("strong", {text: i.display_name || "Member"}), i.email ? ` ${i.email}` : "",
    h("div", {class: "muted"}, "Joined through your link ", h("time", {datetime: i.bound_at, text: when(i.bound_at)}))));
}

function inviterForm() {
  const form = h("form", {novalidate: true},
    field("invite_code", "Invitation code", {form: "inv", maxlength: "16", autocomplete: "off", autocapitalize: "characters"},
      "The code of the member who told you about InsureMall. It can be set once."),
    h("div", {class: "actions"}, h("button", {type: "submit", text: "Save my inviter"})));
  wire(form, (data) => api("/members/me/inviter", {method: "POST", body: {invite_code: String(data.get("invite_code")).trim()}}),
    done("invite", invite, "Thank you. Your inviter is saved."));
  return h("details", {}, h("summary", {text: "Were you invited? Enter the code"}), form);
}

async function invite() {
  const [inv, people] = await Promise.all([optional(api("/members/me/invitation")), optional(api(`/members/me/invitees?limit=${PAGE}`))]);
  const url = new URL(`index.html?ref=${encodeURIComponent(inv.invite_code)}`, location.href).href;
  const link = h("input", {type: "url", id: "invite-link", readonly: true, value: url, "aria-describedby": "invite-link-hint"});
  link.addEventListener("focus", () => link.select());
  const status = h("p", {class: "hint", role: "status"});
  const qr = h("img", {class: "qr", alt: "QR code of your invitation link", width: "164", height: "164", hidden: true});
  qrImage(qr, url).catch(() => { /* the link works without its QR code */ });
  const items = h("ul", {class: "items", id: "invitees"}, people.invitees.map(inviteeItem));
  return [
    h("div", {class: "share"}, qr,
      h("div", {},
        h("p", {}, "Your invitation code: ", h("strong", {class: "code", text: inv.invite_code})),
        h("label", {for: "invite-link", text: "Your invitation link"}),
        link,
        h("p", {class: "hint", id: "invite-link-hint", text: "Friends who sign up through this link or QR code are invited by you. " +
          "Links you share from a product page carry your code too."}),
        h("div", {class: "actions"}, h("button", {type: "button", class: "secondary", text: "Copy link", onclick: () => copy(link, status)})),
        status)),
    h("h3", {text: "My inviter"}),
    inv.inviter ? h("p", {}, "You were invited by ", h("strong", {text: inv.inviter.display_name}),
      inv.bound_at ? ` on ${when(inv.bound_at)}.` : ".") : [h("p", {class: "muted", text: "No one invited you."}), inviterForm()],
    h("h3", {text: `My invitees (${inv.invitees_count ?? people.invitees.length})`}),
    people.invitees.length
      ? [items, more(people.next, async (after) => {
        const next = await api(`/members/me/invitees?${query({limit: PAGE, after})}`);
        return {items: next.invitees, next: next.next};
      }, (found) => items.append(...found.map(inviteeItem)), "invitees")]
      : h("p", {class: "empty", text: "No one has joined through your link yet. Share it with family and friends."}),
  ];
}

// ---------- withdrawals ----------
async function payoutAccount() {
  return (await optional(api("/members/me/payout-account"))).payout_account;  // null: none on file yet
}

function accountForm(account) {
  const form = h("form", {novalidate: true},
    field("holder_name", "Account holder's name", {form: "pa", maxlength: "60", autocomplete: "name"}),
    field("bank_name", "Bank", {form: "pa", maxlength: "60", autocomplete: "off"}),
    field("account_no", "Account or card number", {form: "pa", inputmode: "numeric", maxlength: "23", autocomplete: "off"}, "12 to 19 digits."),
    h("div", {class: "actions"}, h("button", {type: "submit", text: "Save payout account"})));
  wire(form, (data) => {
    const v = (k) => String(data.get(k) || "").trim();
    return api("/members/me/payout-account", {method: "PUT", body: {holder_name: v("holder_name"), bank_name: v("bank_name"),
      account_no: v("account_no").replace(/[\s-]/g, "")}});
  }, done("withdraw", withdraw, "Payout account saved."));
  return h("details", {open: !account || null}, h("summary", {text: account ? "Change payout account" : "Add a payout account"}), form);
}

function toCents(text) {
  const t = text.trim().replace(/^CNY\s*/i, "").replace(/,/g, "");
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
  const [whole, frac = ""] = t.split(".");
  return Number(whole) * 100 + Number((frac + "00").slice(0, 2));
}

function requestForm(available, minimum) {
  let key = uuid();  // one key per request, kept across retries, so a retry never withdraws twice
  const hint = `Available: ${cents(available)}.${minimum ? ` Minimum per withdrawal: ${cents(minimum)}.` : ""}`;
  const form = h("form", {novalidate: true},
    field("amount_cents", "Amount to withdraw (CNY)", {form: "wd", inputmode: "decimal", autocomplete: "off",
      value: available >= (minimum || 1) ? (available / 100).toFixed(2) : ""}, hint),
    h("div", {class: "actions"}, h("button", {type: "submit", text: "Withdraw"})));
  wire(form, (data, alert) => {
    const amount = toCents(String(data.get("amount_cents") || ""));
    const problem = amount === null ? "Enter an amount in CNY, like 50 or 50.00"
      : amount <= 0 ? "Enter an amount above zero"
        : minimum && amount < minimum ? `The minimum withdrawal is ${cents(minimum)}`
          : amount > available ? `You can withdraw at most ${cents(available)}` : null;
    if (problem) {
      showAlert(alert, "Please correct the amount.");
      showFieldErrors(form, {amount_cents: problem});
      return undefined;
    }
    return api("/members/me/withdrawals", {method: "POST", body: {amount_cents: amount}, headers: {"Idempotency-Key": key}});
  }, async (w) => {
    key = uuid();
    await dashboard(true);
    await Promise.all([section("withdraw", withdraw), section("fees", fees)]);
    body("withdraw").prepend(h("p", {class: "alert ok", role: "status",
      text: `Withdrawal of ${cents(w.amount_cents)} requested: ${WITHDRAWAL_STATUS[w.status] || w.status}.`}));
  }, "Requesting…");
  return form;
}

function withdrawalItem(w) {
  const to = w.payout_account ? `${w.payout_account.bank_name} ${w.payout_account.account_no}` : "";
  return h("li", {},
    h("div", {class: "what"}, h("strong", {text: cents(w.amount_cents)}), " ",
      h("span", {class: `badge w-${w.status}`, text: WITHDRAWAL_STATUS[w.status] || w.status}),
      h("div", {class: "muted"}, "Requested ", h("time", {datetime: w.requested_at, text: when(w.requested_at)}), to ? ` to ${to}` : ""),
      w.note ? h("div", {class: "muted", text: `Note: ${w.note}`}) : null));
}

async function withdraw() {
  const [d, account, history] = await Promise.all([optional(dashboard()), payoutAccount(), optional(api(`/members/me/withdrawals?limit=${PAGE}`))]);
  const available = Number(d.available_cents) || 0;
  const minimum = Number(d.withdrawal_min_cents ?? d.withdrawal?.min_cents) || 0;
  const items = h("ul", {class: "items", id: "withdrawals"}, history.withdrawals.map(withdrawalItem));
  let request;
  if (!account) request = h("p", {class: "muted", text: "Add a payout account below before you withdraw."});
  else if (available <= 0 || available < minimum) {
    request = h("p", {class: "muted", text: available <= 0 ? "Nothing is available to withdraw yet."
      : `You have ${cents(available)} available; you can withdraw once it reaches ${cents(minimum)}.`});
  } else request = requestForm(available, minimum);
  return [
    h("h3", {text: "Request a withdrawal"}),
    request,
    h("h3", {text: "Payout account"}),
    account ? h("dl", {class: "facts"},
      h("dt", {text: "Holder"}), h("dd", {text: account.holder_name}),
      h("dt", {text: "Bank"}), h("dd", {text: account.bank_name}),
      h("dt", {text: "Account"}), h("dd", {text: account.account_no})) : null,
    accountForm(account),
    h("h3", {text: "Withdrawal history"}),
    history.withdrawals.length
      ? [items, more(history.next, async (after) => {
        const next = await api(`/members/me/withdrawals?${query({limit: PAGE, after})}`);
        return {items: next.withdrawals, next: next.next};
      }, (found) => items.append(...found.map(withdrawalItem)), "withdrawals")]
      : h("p", {class: "empty", text: "No withdrawals yet."}),
  ];
}

// ---------- points ----------
function pointsRow(e) {
  return h("tr", {},
    h("td", {}, h("time", {datetime: e.at, text: when(e.at)})),
    h("td", {text: e.reason || e.kind}, e.expires_on ? h("div", {class: "muted", text: `Expires ${day(e.expires_on)}`}) : null),
    h("td", {class: "num", text: signedPoints(e.points)}));
}

async function pointsPart() {
  const p = await optional(api(`/members/me/points?limit=${PAGE}`));
  const balance = h("p", {class: "big", id: "points-balance", text: points(p.points)});
  const status = h("p", {role: "status", id: "checkin-status"});
  // Today (the China day) as the server knows it, so a reload never offers a check-in already done.
  const today = p.check_in || {};
  const checkIn = h("button", {type: "button", text: today.checked_in ? "Checked in today" : "Check in today",
    disabled: Boolean(today.checked_in)});
  if (today.checked_in) {
    status.className = "hint";
    status.textContent = `You checked in today${today.points ? ` (${signedPoints(today.points)} points)` : ""}. Come back tomorrow.`;
  }
  checkIn.addEventListener("click", async () => {
    setBusy(checkIn, true, "Checking in…");
    try {
      const r = await optional(api("/members/me/check-in", {method: "POST"}));
      balance.textContent = points(r.points);
      status.className = "alert ok";
      status.textContent = r.already_checked_in ? "You already checked in today. Come back tomorrow."
        : `Checked in: ${signedPoints(r.points_awarded)} points. Come back tomorrow for more.`;
      setBusy(checkIn, false);
      checkIn.textContent = "Checked in today";
      checkIn.disabled = true;
      if (!r.already_checked_in) {
        const next = await api(`/members/me/points?limit=${PAGE}`);
        rows.replaceChildren(...next.history.map(pointsRow));
        table.hidden = false;
        empty.hidden = true;
      }
    } catch (err) {
      setBusy(checkIn, false);
      if (err.status === 401) return goToSignIn();
      status.className = "alert error";
      status.textContent = err instanceof Unavailable ? "Daily check-in is not available yet." : err.message;
    }
  });
  const rows = h("tbody", {}, p.history.map(pointsRow));
  const table = h("div", {class: "table-wrap", hidden: !p.history.length}, h("table", {},
    h("caption", {text: "Points history, newest first"}),
    h("thead", {}, h("tr", {}, h("th", {scope: "col", text: "When"}), h("th", {scope: "col", text: "What"}), h("th", {scope: "col", class: "num", text: "Points"}))),
    rows));
  const empty = h("p", {class: "empty", hidden: Boolean(p.history.length),
    text: "No points yet. You earn points when you buy a policy, when a friend joins through your link, and by checking in every day."});
  return [
    h("div", {class: "points-head"},
      h("div", {}, h("p", {class: "muted", text: "Your balance"}), balance,
        p.expiring_soon?.points ? h("p", {class: "warn", text: `${points(p.expiring_soon.points)} expire on ${day(p.expiring_soon.on)}. Use them at checkout before then.`}) : null),
      h("div", {}, checkIn)),
    status,
    h("p", {class: "hint", text: "Use points at checkout for money off your premium, up to the limit shown on the order page."}),
    table, empty,
    p.history.length ? more(p.next, async (after) => {
      const next = await api(`/members/me/points?${query({limit: PAGE, after})}`);
      return {items: next.history, next: next.next};
    }, (items) => rows.append(...items.map(pointsRow)), "points history") : null,
  ];
}

// ---------- coupons ----------
function couponItem(c) {
  const terms = [c.min_premium_cents ? `on a premium of ${cents(c.min_premium_cents)} or more` : "on any premium",
    c.product_ids?.length ? "for selected products" : null].filter(Boolean).join(", ");
  return h("li", {class: `coupon ${c.status}`},
    h("div", {class: "what"}, h("strong", {text: c.kind === "percent" ? `${c.percent}% off` : `${cents(c.amount_cents)} off`}),
      ` — ${c.campaign_name || "Coupon"}`,
      h("div", {class: "muted", text: `${terms[0].toUpperCase()}${terms.slice(1)}.`}),
      h("div", {class: "muted"}, c.status === "used" && c.order_id
        ? ["Used on order ", h("a", {href: `order-status.html?id=${encodeURIComponent(c.order_id)}`, text: c.order_id})]
        : `${c.status === "expired" ? "Expired" : "Valid until"} ${when(c.valid_until)}`)));
}

async function coupons() {
  const {coupons: mine} = await optional(api("/members/me/coupons"));
  if (!mine.length) {
    return h("p", {class: "empty"}, "No coupons yet. Claim coupons from the campaigns on the ",
      h("a", {href: "index.html#campaigns", text: "home page"}), ", then use them on the order page.");
  }
  return COUPON_GROUPS.map(([status, label]) => {
    const group = mine.filter((c) => c.status === status);
    return [h("h3", {text: `${label} (${group.length})`}),
      group.length ? h("ul", {class: "items coupons"}, group.map(couponItem))
        : h("p", {class: "muted", text: status === "available" ? "No coupons to use right now." : `No ${label.toLowerCase()} coupons.`})];
  });
}

// The parts appear together once all have answered, so none of them jumps as another fills in.
if (session) {
  const parts = [["fees", fees], ["invite", invite], ["withdraw", withdraw], ["points", pointsPart], ["coupons", coupons]];
  Promise.allSettled(parts.map(([id, render]) => section(id, render))).then(() => {
    $("#loading").hidden = true;
    $("#sections").hidden = false;
    if (/^#[a-z]+$/.test(location.hash)) $(location.hash)?.scrollIntoView();
  });
}
