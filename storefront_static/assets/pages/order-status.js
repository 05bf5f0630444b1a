import {api} from "../api.js";
import {goToSignIn, requireSession} from "../session.js";
import {$, cents, day, h, money, param, showError, STATUS_LABELS, timeNote, when} from "../ui.js";

const session = requireSession();
const orderId = param("id");
const root = $("#order");
const FINAL = new Set(["issued", "declined", "failed", "cancelled", "policy_cancelled", "refunded"]);
// After issue the order follows its policy: the steps to a policy were all done.
const ISSUED = new Set(["issued", "policy_cancelled", "refunded"]);
const EXPLAIN = {
  pending_payment: "We are preparing your payment. This takes a few seconds.",
  awaiting_payment: "Your order is waiting for payment. Unpaid orders are cancelled after a while.",
  paid: "Thank you, we have your payment. The insurer is checking your application.",
  referred: "An underwriter is reviewing your application by hand. We will update this page when they decide.",
  issued: "Your policy is in place. It is also listed under My account, My policies.",
  declined: "The insurer could not accept this application.",
  failed: "We could not complete your policy.",
  cancelled: "This order was cancelled.",
  policy_cancelled: "The policy this order bought has been cancelled. The policy page has the details.",
  refunded: "The policy this order bought has been cancelled and its refund paid.",
};
let shown = "";
let polls = 0;

// Where the order is on its way to a policy: Details -> Payment -> Underwriting -> Policy.
const STEP_OF = {pending_payment: 1, awaiting_payment: 1, cancelled: 1, paid: 2, referred: 2, declined: 2, failed: 2, issued: 4,
  policy_cancelled: 4, refunded: 4};
const STEPS = ["Your details", "Payment", "Underwriting", "Policy"];

function progress(status) {
  const at = STEP_OF[status] ?? 1;
  const stopped = ["cancelled", "declined", "failed"].includes(status);
  return h("ol", {class: "steps", "aria-label": "Progress"}, STEPS.map((label, i) => {
    const cls = i < at || ISSUED.has(status) ? "done" : i === at ? (stopped ? "stopped" : "current") : "";
    const text = i === 2 && status === "referred" ? "Manual review" : label;
    return h("li", {class: cls || null, "aria-current": i === at && !stopped && !ISSUED.has(status) ? "step" : null}, text,
      cls === "done" ? h("span", {class: "sr-only", text: " (done)"}) : null,
      cls === "stopped" ? h("span", {class: "sr-only", text: " (stopped)"}) : null);
  }));
}

// Coupons and points taken off the premium, each on its own line (total is what is charged).
function discountFacts(pr) {
  if (!pr.discounts?.length) return null;
  return [h("dt", {text: "Premium before discounts"}), h("dd", {text: cents(pr.gross_cents, pr.currency)}),
    pr.discounts.map((d) => [h("dt", {text: d.kind === "coupon" ? "Coupon" : "Points"}),
      h("dd", {text: `\u2212${cents(d.amount_cents, pr.currency)} (${d.label})`})])];
}

function view(o) {
  const box = h("section", {class: `card ${o.status}`, "aria-labelledby": "status-h"},
    h("h2", {id: "status-h", class: "status", text: o.status_label}),
    o.renewal_of ? h("p", {class: "renewal-link"}, "Renewal of policy ",
      h("a", {href: `policy.html?no=${encodeURIComponent(o.renewal_of)}`, text: o.renewal_of})) : null,
    h("p", {text: EXPLAIN[o.status] || ""}));
  // pay_url is the payment provider's page; locally the sandbox page, served beside these pages.
  if (o.payment?.pay_url) box.append(h("p", {}, h("a", {class: "button", href: o.payment.pay_url.replace(/^\//, ""), text: "Pay now"})));
  if (o.policy_no) {
    box.append(h("p", {}, "Policy number: ",
      h("a", {href: `policy.html?no=${encodeURIComponent(o.policy_no)}`, text: o.policy_no})));
  }
  if (o.status_reason && ISSUED.has(o.status)) box.append(h("p", {text: `${o.status_reason}.`}));
  else if (o.status_reason) box.append(h("p", {}, h("strong", {text: "Reason: "}), o.status_reason));
  if (["declined", "cancelled", "failed"].includes(o.status)) {
    box.append(h("p", {}, h("a", {href: `product.html?id=${encodeURIComponent(o.product_id)}`, text: "See the product again"}),
      " or ", h("a", {href: "recommend.html", text: "find other cover"}), "."));
  }
  if (o.refund) {
    box.append(h("p", {text: `Refund of ${cents(o.refund.amount_cents, o.currency || "CNY")} made on ${when(o.refund.created_at)}. ` +
      "It reaches your account in a few working days."}));
  }
  if (!FINAL.has(o.status)) box.append(h("p", {class: "hint", text: "This page updates by itself."}));
  return [progress(o.status), timeNote(), box,
    h("section", {class: "card", "aria-labelledby": "details-h"},
      h("h2", {id: "details-h", text: o.product_name}),
      h("dl", {class: "facts"},
        h("dt", {text: "Order"}), h("dd", {text: o.order_id}),
        h("dt", {text: "Plan"}), h("dd", {text: o.plan}),
        h("dt", {text: "Term"}), h("dd", {text: o.term}),
        h("dt", {text: "Cover"}), h("dd", {text: `${day(o.start_date)} to ${day(o.end_date)}`}),
        discountFacts(o.premium),
        h("dt", {text: o.premium.discounts?.length ? "You pay" : "Premium"}), h("dd", {text: money(o.premium.total, o.premium.currency)}),
        o.insured?.length ? [h("dt", {text: "Insured"}), h("dd", {text: o.insured.map((p) => p.name).join(", ")})] : null)),
    h("section", {"aria-labelledby": "history-h"},
      h("h2", {id: "history-h", text: "History"}),
      h("ol", {class: "timeline"}, (o.history || []).map((e) => h("li", {},
        h("strong", {text: STATUS_LABELS[e.status] || e.status}), ` — ${when(e.at)}`, e.note ? h("div", {class: "muted", text: e.note}) : null))))];
}

async function poll() {
  try {
    const o = await api(`/orders/${encodeURIComponent(orderId)}`);
    $("#alert").hidden = true;
    // Redraw only on a change, so screen readers and keyboard focus are not disturbed every second.
    const key = JSON.stringify([o.status, o.payment?.pay_url, o.policy_no, o.refund, (o.history || []).length]);
    if (key !== shown) {
      if (shown) $("#live").textContent = `Status: ${o.status_label}`;
      shown = key;
      root.replaceChildren(...view(o));
    }
    if (FINAL.has(o.status)) return;
  } catch (err) {
    if (err.status === 401) return goToSignIn();
    if (err.status === 404) {
      err.message = "We could not find this order. It may belong to another account.";
      return showError($("#alert"), err);
    }
    showError($("#alert"), err);
  } finally {
    $("#loading").hidden = true;
  }
  polls += 1;
  // Every second while things move; slower once it is waiting on a person (payment or underwriter).
  setTimeout(poll, polls < 120 ? 1000 : 5000);
}

if (session) {
  if (orderId) poll();
  else { $("#loading").hidden = true; root.replaceChildren(h("p", {}, "No order was chosen. ", h("a", {href: "account.html#orders", text: "See your orders"}))); }
}
