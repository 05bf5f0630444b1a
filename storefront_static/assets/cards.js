// A product as a card in a list: the whole card is one link; "from CNY x" is the lowest premium.
import {cny, h, price} from "./ui.js";

export const productUrl = (id, extra = "") => `product.html?id=${encodeURIComponent(id)}${extra}`;

export function topCover(p) {
  return Math.max(0, ...(p.plans || []).map((plan) => Number(plan.sum_insured) || 0));
}

export function productCard(p, {label, level = "h3"} = {}) {
  const top = topCover(p);
  return h("li", {class: "card product-card"},
    label ? h("span", {class: "slot", text: label}) : null,
    h(level, {}, h("a", {href: productUrl(p.product_id), text: p.name})),
    h("p", {class: "muted", text: p.insurer_name || ""}),
    h("p", {class: "summary", text: p.summary || ""}),
    h("div", {class: "bottom"},
      p.premium_from ? h("p", {class: "from"}, "from ", h("strong", {text: price(p.premium_from)})) : h("p", {class: "from", text: "Price on request"}),
      top ? h("p", {class: "cover", text: `Cover up to ${cny(top)}`}) : null));
}
