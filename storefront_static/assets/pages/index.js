import {api} from "../api.js";
import {$, cny, h, param, showError} from "../ui.js";

const category = param("category") || "";

function filterLink(id, label, icon) {
  const href = id ? `index.html?category=${encodeURIComponent(id)}` : "index.html";
  return h("li", {}, h("a", {href, "aria-current": id === category ? "page" : null},
    icon ? h("span", {"aria-hidden": "true", text: icon + " "}) : null, label));
}

function card(p) {
  const top = Math.max(0, ...(p.plans || []).map((plan) => plan.sum_insured));
  const url = `product.html?id=${encodeURIComponent(p.product_id)}`;
  return h("li", {class: "card"},
    h("h2", {}, h("a", {href: url, text: p.name})),
    h("p", {class: "muted", text: p.insurer_name}),
    h("p", {text: p.summary}),
    h("dl", {class: "facts"},
      h("dt", {text: "Cover up to"}), h("dd", {text: cny(top)}),
      h("dt", {text: "Ages"}), h("dd", {text: `${p.age_limits.min} to ${p.age_limits.max}`}),
      h("dt", {text: "Terms"}), h("dd", {text: (p.terms || []).map((t) => t.label).join(", ")}),
      p.cooling_off_days ? [h("dt", {text: "Cooling-off"}), h("dd", {text: `${p.cooling_off_days} days`})] : null),
    h("ul", {class: "tags", "aria-label": "Tags"}, (p.tags || []).map((t) => h("li", {text: t}))));
}

async function load() {
  const loading = $("#loading");
  loading.hidden = false;
  try {
    const query = category ? `?category=${encodeURIComponent(category)}` : "";
    const [cats, prods] = await Promise.all([api("/categories"), api("/products" + query)]);
    const sorted = [...cats.categories].sort((a, b) => a.sort - b.sort);
    $("#categories").replaceChildren(filterLink("", "All"), ...sorted.map((c) => filterLink(c.category_id, c.name, c.icon)));
    const current = sorted.find((c) => c.category_id === category);
    if (current) document.title = `${current.name} insurance - InsureMall`;
    $("#products").replaceChildren(...prods.products.map(card));
    loading.hidden = false;
    loading.textContent = prods.products.length
      ? `${prods.products.length} product${prods.products.length === 1 ? "" : "s"}${current ? " in " + current.name : ""}.`
      : "No products in this category yet.";
  } catch (err) {
    loading.hidden = true;
    showError($("#alert"), err, load);
  }
}

load();
