// "Cancel policy" on the policy page: quote the refund, say the rule in plain words, confirm with a reason.
import {api} from "../api.js";
import {goToSignIn, requireSession} from "../session.js";
import {$, cents, day, h, param, setBusy, showError, STATUS_LABELS} from "../ui.js";

const session = requireSession();
const policyNo = param("no");
const path = (tail) => `/policies/${encodeURIComponent(policyNo)}/${tail}`;
const REASONS = [
  ["changed_mind", "I changed my mind"],
  ["cover_elsewhere", "I have cover elsewhere"],
  ["too_expensive", "It costs too much"],
  ["no_longer_needed", "I no longer need it"],
  ["other", "Another reason"],
];
const REFUND_STATUS = {pending: "being refunded", refunded: "refunded to your payment method", none: "no refund"};

const box = () => $("#cancel-policy");

// What the order's coupon and points do on this cancellation, in the quote's words.
const discountsSaid = (items) => (items?.length ? h("ul", {class: "discounts-returned"}, items.map((d) => h("li", {text: d.text + "."}))) : null);

function done(p) {
  const refund = p.refund || {};
  return h("div", {class: "card cancelled"},
    h("h2", {id: "cancelled-heading", tabindex: "-1", text: "This policy is cancelled"}),
    h("p", {text: `Cancelled on ${day(p.cancelled_on)}${p.cancelled_by === "operator" ? " by our service team" : ""}.`}),
    h("p", {text: `Refund: ${cents(refund.amount_cents || 0)}, ${REFUND_STATUS[refund.status] || refund.status}.`}),
    p.refund_explanation ? h("p", {class: "muted", text: p.refund_explanation + "."}) : null,
    discountsSaid(p.discounts_returned));
}

function offer() {
  return [h("h2", {text: "Cancel policy"}),
    h("p", {class: "muted", text: "See what you would get back before you decide."}),
    h("button", {type: "button", class: "danger", id: "cancel-start", onclick: showQuote, text: "Cancel policy"})];
}

async function showQuote(event) {
  const button = event.currentTarget;
  setBusy(button, true, "Working out your refund…");
  try {
    const q = await api(path("cancellation-quote"));
    const form = h("form", {id: "cancel-form", novalidate: ""},
      h("h2", {id: "cancel-heading", tabindex: "-1", text: `If you cancel today you get back ${cents(q.refund_cents)}`}),
      h("p", {id: "cancel-rule", text: q.explanation + "."}),
      discountsSaid(q.discounts),
      h("div", {class: "table-wrap"}, h("table", {},
        h("caption", {text: "How the refund is worked out"}),
        h("tbody", {}, q.breakdown.map((b) => h("tr", {}, h("td", {text: b.label}),
          h("td", {class: "num", text: b.cents !== undefined ? cents(b.cents) : String(b.value)})))))),
      h("div", {class: "field"},
        h("label", {for: "cancel-reason", text: "Why are you cancelling?"}),
        h("select", {id: "cancel-reason", name: "reason", required: ""},
          REASONS.map(([code, text]) => h("option", {value: code, text})))),
      h("p", {class: "muted", id: "cancel-effect", text: `${q.cover}. This cannot be undone.`}),
      h("p", {}, h("button", {type: "submit", class: "danger", id: "cancel-confirm", text: `Cancel and refund ${cents(q.refund_cents)}`}), " ",
        h("button", {type: "button", class: "secondary", text: "Keep my policy", onclick: () => { box().replaceChildren(...offer()); $("#cancel-start").focus(); }})));
    form.addEventListener("submit", (e) => { e.preventDefault(); confirm(q, e.submitter || $("#cancel-confirm")); });
    box().replaceChildren(form);
    $("#cancel-heading").focus();
  } catch (err) {
    setBusy(button, false);
    if (err.status === 401) return goToSignIn();
    showError($("#cancel-alert"), err, () => button.click());
  }
}

async function confirm(q, button) {
  setBusy(button, true, "Cancelling…");
  try {
    const result = await api(path("cancellation"), {method: "POST", body: {reason: $("#cancel-reason").value, refund_cents: q.refund_cents}});
    box().replaceChildren(done(result.policy));
    const badge = $("#policy .badge");
    if (badge) { badge.className = "badge cancelled"; badge.textContent = STATUS_LABELS.cancelled; }
    $("#cancelled-heading").focus();
  } catch (err) {
    setBusy(button, false);
    if (err.status === 401) return goToSignIn();
    if (err.status === 409) err.message += " Ask for a new quote with Cancel policy.";
    showError($("#cancel-alert"), err, () => confirm(q, button));
  }
}

async function load() {
  try {
    // Appear below the policy once it is drawn, so nothing above moves.
    const main = $("#policy");
    if (!main.childElementCount) {
      await new Promise((resolve) => new MutationObserver((_, o) => { o.disconnect(); resolve(); }).observe(main, {childList: true}));
    }
    const p = await api(`/policies/${encodeURIComponent(policyNo)}`);
    if (p.status === "cancelled") box().replaceChildren(done(p));
    else if (p.status === "in_force") box().replaceChildren(...offer());
  } catch {
    // the page's main module reports a policy it cannot load
  }
}

if (session && policyNo) load();
