// Products: every product in the catalog, whatever its status, with its channels and current rates.
import {append, badge, channelName, empty, field, h, input, select, setTitle} from "./dom.js";
import {call, kindName, referenceData, takeFlash} from "./shared.js";

export async function render(view, _args, query) {
  setTitle("Products");
  const flash = takeFlash();
  const [data, ref] = await Promise.all([call("/admin/products"), referenceData()]);
  const insurers = Object.fromEntries(ref.insurers.map((i) => [i.insurer_id, i.name]));
  const categories = Object.fromEntries(ref.categories.map((c) => [c.category_id, c.name]));
  const products = [...(data.products || [])].sort((a, b) => a.name.localeCompare(b.name));

  const search = input({type: "search", name: "q", value: query.get("q") || "", placeholder: "Name, id or insurer"});
  const status = select([["", "Any status"], ["on_shelf", "On shelf"], ["off_shelf", "Off shelf"]], query.get("status") || "", {name: "status"});
  const count = h("p", {class: "muted", role: "status"});
  const body = h("tbody");

  const row = (p) => h("tr", {},
    h("td", {}, h("a", {href: `#/products/${encodeURIComponent(p.product_id)}`, text: p.name}),
      h("div", {class: "muted small mono", text: p.product_id})),
    h("td", {text: insurers[p.insurer_id] || p.insurer_id}),
    h("td", {}, categories[p.category_id] || p.category_id, h("div", {class: "muted small", text: kindName(p.kind)})),
    h("td", {}, badge(p.status)),
    h("td", {}, h("ul", {class: "chips"}, (p.channels || []).map((c) => h("li", {text: channelName(c)})))),
    h("td", {class: "num"}, p.rate_table_version ? `v${p.rate_table_version}` : h("span", {class: "warn-text", text: "none"})),
    h("td", {class: "num", text: p.revision ?? ""}));

  function apply() {
    const q = search.value.trim().toLowerCase();
    const shown = products.filter((p) =>
      (!status.value || p.status === status.value) &&
      (!q || [p.name, p.product_id, insurers[p.insurer_id] || ""].some((t) => t.toLowerCase().includes(q))));
    body.replaceChildren(...shown.map(row));
    count.textContent = `${shown.length} of ${products.length} product${products.length === 1 ? "" : "s"}`;
    const params = new URLSearchParams();
    if (q) params.set("q", search.value.trim());
    if (status.value) params.set("status", status.value);
    history.replaceState(null, "", "#/products" + (params.size ? "?" + params : ""));
  }
  search.addEventListener("input", apply);
  status.addEventListener("change", apply);

  append(view,
    h("div", {class: "page-head"},
      h("h1", {text: "Products"}),
      h("a", {class: "button", href: "#/products/new", text: "New product"})),
    flash ? h("p", {class: "alert ok", role: "status", text: flash}) : null,
    h("form", {class: "filters-bar", role: "search", onsubmit: (e) => e.preventDefault()},
      field("Search", search), field("Status", status)),
    count,
    products.length
      ? h("div", {class: "table-wrap"}, h("table", {class: "list"},
        h("caption", {class: "sr-only", text: "All products"}),
        h("thead", {}, h("tr", {}, ["Product", "Insurer", "Category", "Status", "Channels", "Rates", "Revision"]
          .map((t, i) => h("th", {scope: "col", class: i >= 5 ? "num" : null, text: t})))),
        body))
      : empty("No products yet. Create the first one."));
  apply();
}
