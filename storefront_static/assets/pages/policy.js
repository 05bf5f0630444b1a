import {api} from "../api.js";
import {goToSignIn, requireSession} from "../session.js";
import {$, cents, CHINA_TIME, cny, day, h, list, money, param, showError, STATUS_LABELS, when} from "../ui.js";

const session = requireSession();
const policyNo = param("no");
const GENDER = {M: "male", F: "female"};

function person(p) {
  const bits = [p.relation && p.relation !== "self" ? p.relation : null, p.age ? `age ${p.age}` : null,
    GENDER[p.gender], p.share ? `${p.share}%` : null].filter(Boolean);
  return h("li", {}, h("strong", {text: p.name}), bits.length ? ` (${bits.join(", ")})` : "",
    h("div", {class: "muted", text: [p.id_number ? "ID " + p.id_number : null, p.phone, p.email].filter(Boolean).join(" · ")}));
}

const policyLink = (no) => h("a", {href: `policy.html?no=${encodeURIComponent(no)}`, text: no});

// The cancellation rules from today on, each named as the refund quote names it.
const CANCEL_RULES = {
  cooling_off: "Full refund in the cooling-off period",
  not_started: "Full refund before your cover starts",
  pro_rata: "A refund for the unused days of cover (pro-rata)",
  short_rate: "A refund by the short-rate table (the insurer keeps a share for each month begun)",
  none: "No refund",
};
const cancelTerm = (t, i) => (t.until
  ? `${CANCEL_RULES[t.rule] || t.rule}, until ${day(t.until)}`
  : `${i ? "After that: " : ""}${CANCEL_RULES[t.rule] || t.rule}, until cover ends`);

function render(p) {
  const cur = p.currency || "CNY";
  return [
    h("h1", {text: p.product_name}),
    h("p", {}, "Policy ", h("strong", {text: p.policy_no}), " ", h("span", {class: `badge ${p.status}`, text: STATUS_LABELS[p.status] || p.status})),
    p.renewal_of ? h("p", {class: "renewal-link"}, "Renewal of ", policyLink(p.renewal_of)) : null,
    p.renewed_by ? h("p", {class: "renewal-link"}, "Renewed by ", policyLink(p.renewed_by)) : null,
    h("p", {}, h("button", {type: "button", class: "secondary", id: "print-policy", onclick: openDocument, text: "Print / download"}),
      h("span", {id: "print-status", role: "status", class: "muted"})),
    h("section", {class: "card"},
      h("dl", {class: "facts"},
        h("dt", {text: "Insurer"}), h("dd", {text: p.insurer_name}),
        h("dt", {text: "Plan"}), h("dd", {text: p.plan}),
        h("dt", {text: "Term"}), h("dd", {text: p.term?.label || ""}),
        h("dt", {text: "Cover"}), h("dd", {text: `${day(p.start_date)} to ${day(p.end_date)}`}),
        h("dt", {text: "Sum insured"}), h("dd", {text: cny(p.sum_insured, cur)}),
        h("dt", {text: "Premium"}), h("dd", {text: money(p.premium, cur)}),
        p.paid_at ? [h("dt", {text: "Paid"}), h("dd", {text: `${when(p.paid_at)} (${CHINA_TIME})`})] : null,
        p.cancellation_terms?.length ? [h("dt", {text: "If you cancel"}), h("dd", {id: "cancellation-terms"}, list(p.cancellation_terms.map(cancelTerm)))] : null)),
    h("h2", {text: "Cover"}),
    h("div", {class: "table-wrap"}, h("table", {},
      h("thead", {}, h("tr", {}, h("th", {scope: "col", text: "Cover"}), h("th", {scope: "col", class: "num", text: "Sum insured"}))),
      h("tbody", {}, (p.coverages || []).map((c) => h("tr", {}, h("td", {text: c.name}), h("td", {class: "num", text: cny(c.sum_insured, cur)})))))),
    p.options?.length ? [h("h3", {text: "Extra cover"}), list(p.options.map((o) => o.name || o))] : null,
    h("h2", {text: "Premium"}),
    h("div", {class: "table-wrap"}, h("table", {},
      h("caption", {text: "How the premium was worked out"}),
      h("tbody", {id: "policy-premium-rows"}, (p.premium_breakdown || []).map((b) => h("tr", {}, h("td", {text: b.description}), h("td", {class: "num", text: money(b.amount, cur)})))))),
    h("h2", {text: "People"}),
    h("h3", {text: "Policyholder"}), h("ul", {}, person(p.policyholder)),
    h("h3", {text: "Insured"}), h("ul", {}, (p.insured_persons || []).map(person)),
    h("h3", {text: "Beneficiaries"}),
    p.beneficiaries.length ? h("ul", {}, p.beneficiaries.map(person)) : h("p", {text: "The insured person's legal heirs."}),
    p.terms_summary ? [h("h2", {text: "What it pays"}), h("p", {text: p.terms_summary})] : null,
    p.exclusions?.length ? [h("h2", {text: "What is not covered"}), list(p.exclusions)] : null,
  ];
}

// Coupons and points of the order the policy came from: each on its own line, then what was paid.
async function showDiscounts(p) {
  let premium = p.discounts ? p : null;
  if (!premium && p.order_id) {
    try {
      premium = (await api(`/orders/${encodeURIComponent(p.order_id)}`)).premium;
    } catch { return; /* the policy shows without its discounts */ }
  }
  if (!premium?.discounts?.length) return;
  const cur = p.currency || "CNY";
  $("#policy-premium-rows")?.append(
    h("tr", {}, h("th", {scope: "row", text: "Premium before discounts"}), h("td", {class: "num", text: cents(premium.gross_cents, cur)})),
    ...premium.discounts.map((d) => h("tr", {class: "discount"}, h("td", {text: `${d.kind === "coupon" ? "Coupon" : "Points"}: ${d.label}`}),
      h("td", {class: "num", text: `\u2212${cents(d.amount_cents, cur)}`}))),
    h("tr", {class: "total"}, h("th", {scope: "row", text: "You paid"}), h("td", {class: "num", text: money(p.premium, cur)})));
}

// The PDF comes from a 5-minute presigned link; the tab is opened on the click so no popup blocker stops it.
async function openDocument() {
  const tab = window.open("", "_blank");
  $("#print-status").textContent = " Preparing the policy document…";
  try {
    const doc = await api(`/policies/${encodeURIComponent(policyNo)}/document`);
    if (tab) tab.location.href = doc.url; else location.href = doc.url;
    $("#print-status").textContent = "";
  } catch (err) {
    if (tab) tab.close();
    if (err.status === 401) return goToSignIn();
    $("#print-status").textContent = "";
    showError($("#alert"), err, openDocument);
  }
}

async function load() {
  try {
    if (!policyNo) throw Object.assign(new Error("No policy was chosen."), {status: 404});
    const p = await api(`/policies/${encodeURIComponent(policyNo)}`);
    document.title = `Policy ${p.policy_no} - InsureMall`;
    $("#policy").replaceChildren(...render(p).flat().filter(Boolean));
    showDiscounts(p);
  } catch (err) {
    if (err.status === 401) return goToSignIn();
    if (err.status === 404) err.message = "We could not find this policy in your account.";
    showError($("#alert"), err, load);
  } finally {
    $("#loading").hidden = true;
  }
}

if (session) load();
