// Policies: find a customer's policy by number, see what cancelling it today would refund, and cancel it
// on the customer's behalf with a reason. The cancellation and its reason land in the audit trail.
import {append, CHINA_TIME_NOTE, clearAlert, clearFieldErrors, day, empty, field, h, input, money, setBusy, setTitle, showAlert, showFieldErrors, textarea, when} from "./dom.js";
import {auditTable} from "./audit.js";
import {call} from "./shared.js";

const STATUS = {in_force: "In force", cancelled: "Cancelled", expired: "Expired", pending: "Pending"};
const RULES = {
  cooling_off: "Cooling-off period: full refund",
  not_started: "Cover not started: full refund",
  pro_rata: "Pro-rata: the unused days of cover",
  short_rate: "Short-rate table",
  none: "No refund after cooling-off",
};
const REFUND = {refunded: "Refunded", pending: "Refund pending", none: "No refund due"};
const BY = {operator: "an operator, on the customer's behalf", customer: "the customer"};
const REASON_MAX = 500;

const cents = (value) => money(Number(value || 0) / 100);

function statusBadge(status) {
  const kind = status === "in_force" ? "live" : status === "cancelled" ? "ended" : "";
  return h("span", {class: `badge ${kind}`.trim(), text: STATUS[status] || status});
}

// "Wang Fang, PRC ID 1101**********1234, phone 139****5678"
function party(p) {
  if (!p) return h("span", {class: "muted", text: "(none)"});
  const details = [p.id_number && `ID ${p.id_number}`, p.phone && `phone ${p.phone}`, p.email && p.email].filter(Boolean);
  return h("span", {}, h("strong", {text: p.name || "(no name)"}), details.length ? h("span", {class: "muted mono", text: ` · ${details.join(" · ")}`}) : null);
}

function facts(rows) {
  return h("dl", {class: "facts"}, rows.filter(Boolean).map(([term, value]) => [h("dt", {text: term}), h("dd", {}, value)]));
}

function refundText(refund) {
  if (!refund) return "—";
  const amount = refund.amount_cents ? ` · ${cents(refund.amount_cents)}` : "";
  return `${REFUND[refund.status] || refund.status}${amount}`;
}

function plainError(err, no) {
  if (err.status === 404) return `No policy has the number “${no}”. Check the number (it is on the policy document and in the customer's account) and try again.`;
  return err.message;
}

export async function render(view, args) {
  setTitle("Policies");
  const number = input({name: "policy_no", value: args.policy_no || "", spellcheck: false, autocomplete: "off", required: true});
  const find = h("button", {type: "submit", text: "Find policy"});
  const lookupAlert = h("div", {hidden: true});
  // Announces outcomes (found, cancelled) to screen readers; the detail below is re-rendered each time.
  const outcome = h("div", {"aria-live": "polite"});
  const detail = h("div");

  const form = h("form", {class: "filters-bar", role: "search", novalidate: true},
    field("Policy number", number, {path: "policy_no", hint: "As printed on the policy document and in the customer's account"}),
    h("div", {class: "actions"}, find));

  async function lookup(no, {announce} = {}) {
    clearAlert(lookupAlert);
    clearFieldErrors(form);
    detail.replaceChildren();
    if (!no) {
      showFieldErrors(form, {policy_no: "Enter the policy number"});
      return;
    }
    history.replaceState(null, "", `#/policies/${encodeURIComponent(no)}`);
    setBusy(find, true, "Finding…");
    detail.setAttribute("aria-busy", "true");
    try {
      const policy = await call(`/policies/${encodeURIComponent(no)}`);
      const [quote, trail] = await Promise.all([
        policy.status === "in_force"
          ? call(`/admin/policies/${encodeURIComponent(no)}/cancellation-quote`).catch((err) => ({error: err}))
          : null,
        call(`/admin/audit?${new URLSearchParams({entity: `policy:${no}`, limit: "50"})}`).catch((err) => ({error: err})),
      ]);
      detail.replaceChildren(...policyView(policy, quote, trail));
      if (announce !== false) outcome.replaceChildren(h("p", {class: "sr-only", text: `Found policy ${no}: ${STATUS[policy.status] || policy.status}.`}));
      detail.querySelector("h2")?.focus();
    } catch (err) {
      if (err.status === 401 || err.status === 403) return; // the console shows sign-in or the refusal
      showAlert(lookupAlert, plainError(err, no));
      number.setAttribute("aria-invalid", "true");
      number.focus();
    } finally {
      setBusy(find, false);
      detail.removeAttribute("aria-busy");
    }
  }

  function policyView(policy, quote, trail) {
    const no = policy.policy_no;
    const holder = policy.policyholder || {};
    const parts = [
      h("section", {class: "card", "aria-labelledby": "policy-heading"},
        h("div", {class: "page-head"},
          h("h2", {id: "policy-heading", tabindex: "-1"}, "Policy ", h("span", {class: "mono", text: no})),
          statusBadge(policy.status)),
        facts([
          ["Product", h("span", {}, policy.product_name, h("span", {class: "muted", text: ` · ${policy.insurer_name}`}))],
          ["Plan", policy.plan],
          ["Period", `${day(policy.start_date)} – ${day(policy.end_date)}`],
          ["Status", STATUS[policy.status] || policy.status],
          ["Premium", money(policy.premium)],
          ["Policyholder", party(holder)],
          ["Insured", h("ul", {class: "plain-list"}, (policy.insured_persons || []).map((p) => h("li", {}, party(p))))],
          ["Cooling-off until", policy.cooling_off_until ? day(policy.cooling_off_until) : "No cooling-off period"],
          policy.cancelled_on ? ["Cancelled on", day(policy.cancelled_on)] : null,
          policy.cancelled_on ? ["Cancelled by", BY[policy.cancelled_by] || policy.cancelled_by || "—"] : null,
          policy.cancelled_on ? ["Reason", policy.cancellation_reason || "—"] : null,
          policy.cancelled_on ? ["Refund", refundText(policy.refund)] : null,
        ])),
    ];
    if (policy.status === "in_force") parts.push(cancellationCard(policy, holder, quote));
    parts.push(h("section", {"aria-labelledby": "policy-audit"},
      h("h2", {id: "policy-audit", text: "Audit trail for this policy"}),
      trail && trail.error ? h("p", {class: "alert error", text: `The audit trail could not be loaded: ${trail.error.message}`})
        : (trail.entries || []).length ? auditTable(trail.entries, {showEntity: false})
          : empty("No operator or customer changes recorded for this policy yet.")));
    return parts;
  }

  function cancellationCard(policy, holder, quote) {
    const no = policy.policy_no;
    const card = h("section", {class: "card", "aria-labelledby": "cancel-heading"},
      h("h2", {id: "cancel-heading", text: "Cancel on the customer's behalf"}));
    if (!quote || quote.error) {
      return append(card, h("p", {class: "alert error", text: quote?.error?.message || "The refund could not be worked out."}));
    }
    const reason = textarea({name: "reason", maxlength: String(REASON_MAX), required: true, "aria-required": "true"});
    const alert = h("div", {hidden: true});
    const start = h("button", {type: "submit", class: "danger-solid", text: "Cancel policy on the customer's behalf"});
    const confirmSlot = h("div");
    const form = h("form", {class: "cancel-form", novalidate: true},
      field("Reason for cancelling (required)", reason, {path: "reason",
        hint: "What the customer asked for and why, e.g. “Customer phoned: bought the cover twice by mistake”. It is kept on the policy and in the audit trail."}),
      alert,
      h("div", {class: "actions"}, start),
      confirmSlot);

    // While confirming, the reason shown is the reason sent.
    const closeConfirm = () => {
      confirmSlot.replaceChildren();
      start.hidden = false;
      reason.readOnly = false;
    };
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      clearAlert(alert);
      const text = reason.value.trim();
      if (!text) return void showFieldErrors(form, {reason: "Enter the reason for cancelling: it goes into the audit trail"});
      if (text.length > REASON_MAX) return void showFieldErrors(form, {reason: `Keep the reason to ${REASON_MAX} characters`});
      start.hidden = true;
      reason.readOnly = true;
      const yes = h("button", {type: "button", class: "danger-solid", text: "Yes, cancel the policy"});
      const no_ = h("button", {type: "button", class: "secondary", text: "No, keep the policy", onclick: () => { closeConfirm(); start.focus(); }});
      const question = h("p", {id: "confirm-question", tabindex: "-1"},
        h("strong", {text: `Cancel policy ${no} for ${holder.name || "the customer"}?`}),
        ` The policy is cancelled as of ${day(quote.cancelled_on)} and ${quote.refund_cents ? `${cents(quote.refund_cents)} goes back to the customer's payment method` : "nothing is refunded"}. This cannot be undone.`);
      confirmSlot.replaceChildren(h("div", {class: "confirm", role: "group", "aria-labelledby": "confirm-question"}, question, h("div", {class: "actions"}, yes, no_)));
      question.focus();
      yes.addEventListener("click", async () => {
        setBusy(yes, true, "Cancelling…");
        no_.disabled = true;
        try {
          const result = await call(`/admin/policies/${encodeURIComponent(no)}/cancellation`, {method: "POST", body: {reason: text}});
          const refund = result.refund || {};
          const done = h("div", {class: "alert ok", role: "status", tabindex: "-1"},
            h("p", {}, h("strong", {text: `Policy ${no} is cancelled.`}), ` ${refundText(refund)}.`),
            refund.refund_id ? h("p", {class: "small mono", text: `Refund reference ${refund.refund_id}`}) : null);
          await lookup(no, {announce: false});
          outcome.replaceChildren(done);
          done.focus();
        } catch (err) {
          if (err.status === 401 || err.status === 403) return;
          closeConfirm();
          if (err.status === 422) {
            showFieldErrors(form, err.fields);
            showAlert(alert, "The reason is missing or too long: give it in at most 500 characters.");
          } else if (err.status === 409) {
            showAlert(alert, `Nothing was changed: ${err.message} Find the policy again to see where it stands.`);
            alert.querySelector("p")?.setAttribute("tabindex", "-1");
            alert.querySelector("p")?.focus();
          } else if (err.status === 404) {
            showAlert(alert, plainError(err, no));
          } else {
            showAlert(alert, err.message);
          }
        }
      });
    });

    const rows = [
      ["If cancelled on", day(quote.cancelled_on)],
      ["Rule", h("span", {}, RULES[quote.rule] || quote.rule, h("div", {class: "muted small", text: quote.explanation}))],
      ["Premium paid", cents(quote.premium_cents)],
      ["Refund to the customer", h("strong", {text: cents(quote.refund_cents)})],
      quote.retained_cents ? ["Kept by the insurer", cents(quote.retained_cents)] : null,
    ];
    // A full refund's breakdown only repeats the premium; pro-rata and short-rate show their working.
    const breakdown = quote.breakdown || [];
    return append(card,
      h("h3", {text: "Refund quote"}),
      facts(rows),
      breakdown.length > 2 ? h("details", {}, h("summary", {text: "How the refund is worked out"}),
        h("ul", {}, breakdown.map((b) => h("li", {text: `${b.label}: ${b.cents !== undefined ? cents(b.cents) : b.value}`})))) : null,
      form);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    outcome.replaceChildren();
    number.removeAttribute("aria-invalid");
    lookup(number.value.trim());
  });

  append(view,
    h("h1", {text: "Policies"}),
    h("p", {class: "muted", text: `Find a customer's policy by its number. You can cancel it on the customer's behalf; the refund follows the product's rule and the cancellation is recorded in the audit trail. ${CHINA_TIME_NOTE}`}),
    form, lookupAlert, outcome, detail);
  if (args.policy_no) await lookup(args.policy_no);
  else number.focus();
}
