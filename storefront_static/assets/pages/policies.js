import {api} from "../api.js";
import {goToSignIn, requireSession} from "../session.js";
import {$, cny, day, h, money, showError, STATUS_LABELS} from "../ui.js";

const session = requireSession();

function policyCard(p) {
  return h("li", {class: "card"},
    h("h3", {}, h("a", {href: `policy.html?no=${encodeURIComponent(p.policy_no)}`, text: p.policy_no})),
    h("p", {}, h("strong", {text: p.product_name}), ` — ${p.plan}, ${p.insurer_name} `,
      h("span", {class: `badge ${p.status}`, text: STATUS_LABELS[p.status] || p.status})),
    h("dl", {class: "facts"},
      h("dt", {text: "Insured"}), h("dd", {text: (p.insured || []).join(", ")}),
      h("dt", {text: "Cover"}), h("dd", {text: `${day(p.start_date)} to ${day(p.end_date)}`}),
      h("dt", {text: "Sum insured"}), h("dd", {text: cny(p.sum_insured, p.currency)}),
      h("dt", {text: "Premium"}), h("dd", {text: money(p.premium, p.currency)})));
}

function orderRow(o) {
  return h("tr", {},
    h("td", {}, h("a", {href: `order-status.html?id=${encodeURIComponent(o.order_id)}`, text: o.product_name}),
      h("div", {class: "muted", text: `${o.plan}, ${o.term}`})),
    h("td", {}, h("span", {class: `badge ${o.status}`, text: o.status_label})),
    h("td", {class: "num", text: money(o.premium.total, o.premium.currency)}));
}

async function load() {
  try {
    const [policies, orders] = await Promise.all([api("/policies"), api("/orders")]);
    $("#policies").replaceChildren(policies.policies.length
      ? h("ul", {class: "products"}, policies.policies.map(policyCard))
      : h("p", {}, "You have no policies yet. ", h("a", {href: "index.html", text: "Find insurance"}), "."));
    $("#orders").replaceChildren(orders.orders.length
      ? h("div", {class: "table-wrap"}, h("table", {},
        h("thead", {}, h("tr", {}, h("th", {scope: "col", text: "Product"}), h("th", {scope: "col", text: "Status"}),
          h("th", {scope: "col", class: "num", text: "Premium"}))),
        h("tbody", {}, orders.orders.map(orderRow))))
      : h("p", {text: "You have no orders yet."}));
  } catch (err) {
    if (err.status === 401) return goToSignIn();
    showError($("#alert"), err, load);
  } finally {
    $("#loading").hidden = true;
  }
}

if (session) load();
