// Featured slots on the mall home: an ordered list of products, each with a short label.
import {append, clearAlert, clearFieldErrors, field, h, input, select, setBusy, setTitle, showAlert, showFieldErrors} from "./dom.js";
import {call} from "./shared.js";

const MAX = 8;

export async function render(view) {
  setTitle("Featured products");
  const [data, all] = await Promise.all([call("/admin/featured"), call("/admin/products")]);
  const products = [...(all.products || [])].sort((a, b) => a.name.localeCompare(b.name));
  const byId = Object.fromEntries(products.map((p) => [p.product_id, p]));
  let slots = (data.slots || data.featured || []).map((s) => ({product_id: s.product_id, label: s.label || s.slot_label || ""}));

  const alert = h("div", {hidden: true});
  const list = h("ol", {class: "slots"});
  const add = h("button", {type: "button", class: "secondary", text: "Add a slot"});
  const save = h("button", {type: "submit", text: "Save featured slots"});
  const form = h("form", {novalidate: true}, alert, h("div", {dataset: {field: "slots"}}, list),
    h("div", {class: "actions"}, add, save));

  // Reads what is on screen back into `slots`, so moving rows keeps unsaved edits.
  const collect = () => {
    slots = [...list.querySelectorAll(":scope > li.slot")].map((li) => ({product_id: li.querySelector("select").value, label: li.querySelector("input").value.trim()}));
  };

  function paint(focus) {
    list.replaceChildren(...slots.map((s, i) => {
      const product = select([["", "Choose a product"], ...products.map((p) => [p.product_id, `${p.name}${p.status === "on_shelf" ? "" : " (off shelf)"}`])], s.product_id);
      const label = input({value: s.label, maxlength: 30, placeholder: "e.g. Best seller"});
      const warn = h("p", {class: "hint warn-text"});
      const paintWarn = () => {
        const p = byId[product.value];
        warn.textContent = p && p.status !== "on_shelf" ? "Off shelf: the mall home skips this slot until the product is on shelf." : "";
      };
      product.addEventListener("change", paintWarn);
      paintWarn();
      const move = (delta) => {
        collect();
        const [item] = slots.splice(i, 1);
        slots.splice(i + delta, 0, item);
        paint(`[data-slot="${i + delta}"] .${delta < 0 ? "up" : "down"}`);
      };
      return h("li", {class: "slot", "data-slot": i, dataset: {field: `slots.${i}`}},
        h("span", {class: "slot-no", "aria-hidden": "true", text: String(i + 1)}),
        h("div", {class: "grid cols-2 grow"},
          h("div", {dataset: {field: `slots.${i}.product_id`}}, field(`Product in slot ${i + 1}`, product), warn),
          h("div", {dataset: {field: `slots.${i}.label`}}, field(`Label for slot ${i + 1}`, label))),
        h("div", {class: "slot-actions"},
          h("button", {type: "button", class: "secondary small up", text: "↑", "aria-label": `Move slot ${i + 1} up`, disabled: i === 0, onclick: () => move(-1)}),
          h("button", {type: "button", class: "secondary small down", text: "↓", "aria-label": `Move slot ${i + 1} down`, disabled: i === slots.length - 1, onclick: () => move(1)}),
          h("button", {type: "button", class: "secondary small danger", text: "Remove", "aria-label": `Remove slot ${i + 1}`, onclick: () => {
            collect();
            slots.splice(i, 1);
            paint();
          }})));
    }));
    if (!slots.length) list.append(h("li", {class: "empty", text: "No featured products. The mall home shows recommended products instead."}));
    add.disabled = slots.length >= MAX;
    add.textContent = slots.length >= MAX ? `All ${MAX} slots used` : "Add a slot";
    if (focus) list.querySelector(focus)?.focus();
  }

  add.addEventListener("click", () => {
    collect();
    slots.push({product_id: "", label: ""});
    paint();
    list.lastElementChild.querySelector("select").focus();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    collect();
    clearFieldErrors(form);
    clearAlert(alert);
    const problems = {};
    const seen = new Set();
    slots.forEach((s, i) => {
      if (!s.product_id) problems[`slots.${i}.product_id`] = "Choose a product, or remove the slot";
      else if (seen.has(s.product_id)) problems[`slots.${i}.product_id`] = "Is already in an earlier slot";
      seen.add(s.product_id);
    });
    if (Object.keys(problems).length) return void showFieldErrors(form, problems);
    setBusy(save, true, "Saving…");
    try {
      await call("/admin/featured", {method: "PUT", body: {slots}});
      showAlert(alert, `Saved ${slots.length} featured slot${slots.length === 1 ? "" : "s"}. The mall home shows them in this order.`, "ok");
    } catch (err) {
      showAlert(alert, err.message);
      const rest = showFieldErrors(form, err.fields);
      if (rest.length) alert.firstElementChild.append(h("ul", {}, rest.map(([k, t]) => h("li", {text: `${k}: ${t}`}))));
    } finally {
      setBusy(save, false);
      add.disabled = slots.length >= MAX;
    }
  });

  append(view, h("h1", {text: "Featured products"}),
    h("p", {class: "muted", text: `Up to ${MAX} products shown on the mall home, in this order, each with a short label. Only products on shelf and visible on the customer's channel appear.`}),
    form);
  paint();
}
