// One product: create it, or edit it with its shelf status, rate tables and audit trail.
import {$, append, badge, channelName, CHINA_TIME_NOTE, clearAlert, clearFieldErrors, errorPath, h, readable, setBusy, setTitle, showAlert, showFieldErrors, when} from "./dom.js";
import {auditTable, describeAction} from "./audit.js";
import {productEditor} from "./product-form.js";
import {renderRates} from "./rates.js";
import {call, referenceData, setFlash, takeFlash} from "./shared.js";

const productPath = (id) => `/admin/products/${encodeURIComponent(id)}`;
const link = (id, tab) => `#/products/${encodeURIComponent(id)}${tab ? "/" + tab : ""}`;

export async function render(view, {id, tab}) {
  if (!id) return renderCreate(view);
  const [product, ref] = await Promise.all([call(productPath(id)), referenceData()]);
  setTitle(product.name);
  const state = {product};
  const flash = takeFlash();
  const flashBox = flash ? h("p", {class: "alert ok", role: "status", text: flash}) : null;

  const status = h("span", {class: "head-status"});
  const shelfAlert = h("div", {hidden: true});
  const lastChange = h("p", {class: "muted small last-change"});
  const shelfButton = h("button", {type: "button"});
  const panel = h("div", {class: "panel"});

  const paintHead = () => {
    const p = state.product;
    status.replaceChildren();
    append(status, badge(p.status), " ",
      h("span", {class: "muted", text: p.rate_table_version ? `Rates v${p.rate_table_version}` : "No rate table yet"}), " ",
      h("span", {class: "muted", text: `· ${(p.channels || []).map(channelName).join(", ") || "no channels"}`}), " ",
      p.status === "on_shelf" ? h("a", {href: `../product.html?id=${encodeURIComponent(p.product_id)}`, text: "View in the storefront"}) : null);
    shelfButton.textContent = p.status === "on_shelf" ? "Take off shelf" : "Put on shelf";
    shelfButton.className = p.status === "on_shelf" ? "secondary" : "";
  };
  paintHead();

  const refreshLastChange = () => call(`/admin/audit?entity=${encodeURIComponent("product:" + id)}&limit=1`).then((a) => {
    const e = (a.entries || [])[0];
    lastChange.textContent = e ? `Last change: ${describeAction(e.action)} by ${e.actor?.email || e.actor?.id || "someone"}, ${when(e.at)}.` : "";
  }).catch(() => { lastChange.textContent = ""; });
  refreshLastChange();

  shelfButton.addEventListener("click", async () => {
    const target = state.product.status === "on_shelf" ? "off_shelf" : "on_shelf";
    clearAlert(shelfAlert);
    setBusy(shelfButton, true, target === "on_shelf" ? "Putting on shelf…" : "Taking off shelf…");
    try {
      const updated = await call(`${productPath(id)}/shelf`, {method: "POST", body: {status: target}});
      state.product = {...state.product, ...(updated.product || updated)};
      setBusy(shelfButton, false);
      paintHead();
      showAlert(shelfAlert, target === "on_shelf"
        ? `On shelf: customers can now find it on ${(state.product.channels || []).map(channelName).join(", ") || "no channel yet (choose channels below)"}.`
        : "Off shelf: customers no longer see it. Policies already sold are not affected.", "ok");
      refreshLastChange();
    } catch (err) {
      setBusy(shelfButton, false);
      paintHead();
      const why = err.status === 409 && !state.product.rate_table_version
        ? h("p", {}, h("a", {href: link(id, "rates"), text: "Upload and publish a rate table"}), " first.")
        : null;
      showAlert(shelfAlert, err.message, "error", why);
    }
  });

  const tabs = [["details", "Details"], ["rates", "Rate tables"], ["audit", "Audit trail"]];
  append(view,
    h("p", {class: "crumbs"}, h("a", {href: "#/products", text: "Products"}), " / ", product.product_id),
    h("div", {class: "page-head"},
      h("div", {}, h("h1", {text: product.name}), status, lastChange, h("p", {class: "muted small last-change", text: CHINA_TIME_NOTE})),
      h("div", {class: "head-actions"}, shelfButton)),
    shelfAlert,
    flashBox,
    h("nav", {class: "tabs", "aria-label": "Product sections"}, h("ul", {},
      tabs.map(([key, label]) => h("li", {}, h("a", {href: link(id, key === "details" ? "" : key), text: label,
        "aria-current": key === tab ? "page" : null}))))),
    panel);

  if (tab === "rates") {
    await renderRates(panel, state.product, (result) => {
      clearAlert(shelfAlert);
      flashBox?.remove();
      state.product = {...state.product, rate_table_version: result.version, premium_from: result.premium_from ?? state.product.premium_from};
      paintHead();
      refreshLastChange();
    });
  } else if (tab === "audit") {
    const entries = await call(`/admin/audit?entity=${encodeURIComponent("product:" + id)}&limit=50`);
    append(panel, h("h2", {text: "Audit trail"}),
      h("p", {class: "muted", text: "Every change to this product, newest first."}),
      auditTable(entries.entries || [], {showEntity: false}));
  } else {
    renderDetails(panel, state, ref, () => { paintHead(); refreshLastChange(); });
  }
}

function errorSummary(rest) {
  if (!rest.length) return null;
  return h("ul", {}, rest.map(([key, text]) => h("li", {text: `${readable(errorPath(key)) || key}: ${text}`})));
}

function renderDetails(panel, state, ref, onSaved) {
  const editor = productEditor(state.product, ref, {isNew: false});
  const alert = h("div", {hidden: true});
  const save = h("button", {type: "submit", text: "Save changes"});
  const revision = h("span", {class: "muted"});
  const paintRevision = () => { revision.textContent = `Revision ${state.product.revision ?? "?"}`; };
  paintRevision();
  const form = h("form", {class: "product-form", novalidate: true}, alert, editor.el,
    h("div", {class: "save-bar"}, save, revision));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    clearAlert(alert);
    editor.assign();
    const problems = editor.check();
    if (Object.keys(problems).length) {
      showAlert(alert, "Please correct the fields marked below.");
      showFieldErrors(form, problems);
      return;
    }
    setBusy(save, true, "Saving…");
    try {
      const updated = await call(productPath(state.product.product_id), {method: "PUT",
        body: {...editor.read(), revision: state.product.revision}});
      state.product = {...state.product, ...(updated.product || updated)};
      setBusy(save, false);
      paintRevision();
      showAlert(alert, `Saved. This is now revision ${state.product.revision}.`, "ok");
      alert.scrollIntoView({block: "nearest"});
      onSaved();
    } catch (err) {
      setBusy(save, false);
      if (err.status === 409) {
        showAlert(alert, "Someone else changed this product since you opened it. Reload it to see their changes; the edits you made here will be lost.",
          "error", h("button", {type: "button", class: "secondary", text: "Reload product", onclick: () => window.dispatchEvent(new HashChangeEvent("hashchange"))}));
        alert.scrollIntoView({block: "nearest"});
        return;
      }
      showAlert(alert, err.message);
      if (err.status === 422) {
        const rest = showFieldErrors(form, err.fields);
        const summary = errorSummary(rest);
        if (summary) alert.firstElementChild.append(summary);
      } else alert.scrollIntoView({block: "nearest"});
    }
  });
  append(panel, form);
}

async function renderCreate(view) {
  setTitle("New product");
  const ref = await referenceData();
  const editor = productEditor(null, ref, {isNew: true});
  const alert = h("div", {hidden: true});
  const create = h("button", {type: "submit", text: "Create product"});
  const form = h("form", {class: "product-form", novalidate: true}, alert, editor.el,
    h("div", {class: "save-bar"}, create,
      h("span", {class: "muted", text: "A new product starts off shelf. Next you upload its rate table."})));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    clearAlert(alert);
    editor.assign();
    const problems = editor.check();
    if (Object.keys(problems).length) {
      showAlert(alert, "Please correct the fields marked below.");
      showFieldErrors(form, problems);
      return;
    }
    setBusy(create, true, "Creating…");
    const doc = editor.read();
    try {
      await call("/admin/products", {method: "POST", body: doc});
      setFlash(`Created ${doc.name}. It is off shelf until it has a rate table: upload one below, then put it on shelf.`);
      location.hash = link(doc.product_id, "rates");
    } catch (err) {
      setBusy(create, false);
      if (err.status === 409) {
        showAlert(alert, "Please choose another product id.");
        showFieldErrors(form, {product_id: err.message || "A product with this id already exists"});
        return;
      }
      showAlert(alert, err.message);
      if (err.status === 422) {
        const rest = showFieldErrors(form, err.fields);
        const summary = errorSummary(rest);
        if (summary) alert.firstElementChild.append(summary);
      } else alert.scrollIntoView({block: "nearest"});
    }
  });
  append(view,
    h("p", {class: "crumbs"}, h("a", {href: "#/products", text: "Products"}), " / new"),
    h("h1", {text: "New product"}),
    form);
  $("input", form)?.focus();
}
