// Campaigns and coupons: time-boxed campaigns with a points multiplier for some (or all) products and
// coupons members claim (amount or percent off, minimum premium, per-member limit, total quota).
// Times are China time; money is typed in CNY and sent in fen.
import {append, CHINA_TIME_NOTE, chinaInput, clearAlert, clearFieldErrors, empty, field, fromChinaInput, h, input, select, setBusy, setTitle, showAlert, showFieldErrors, textarea} from "./dom.js";
import {call, setFlash, takeFlash} from "./shared.js";
import {cents, loadError, toCents, yuanValue} from "./rewards.js";

const STATUS = {running: ["Running", "live"], scheduled: ["Scheduled", "scheduled"], ended: ["Ended", "ended"]};
const HOUR = 3600 * 1000;

export const chinaTime = (iso) => (iso ? `${chinaInput(iso).replace("T", " ")}` : "—");

export function couponTerms(c) {
  const off = c.kind === "percent" ? `${c.percent}% off` : `${cents(c.amount_cents)} off`;
  const min = c.min_premium_cents ? `, premium from ${cents(c.min_premium_cents)}` : "";
  return `${off}${min}, ${c.per_member_limit} per member`;
}

async function loadCampaigns() {
  const data = await call("/admin/campaigns");
  return data.campaigns || [];
}

export async function render(view, args) {
  if (args.id) return editor(view, args.id === "new" ? null : args.id);
  setTitle("Campaigns");
  const flash = takeFlash();
  append(view, h("div", {class: "page-head"},
    h("div", {}, h("h1", {text: "Campaigns and coupons"}),
      h("p", {class: "muted", text: `Time-boxed campaigns: a points multiplier on purchases and coupons members claim on the storefront and apply at checkout. ${CHINA_TIME_NOTE}`})),
    h("a", {class: "button", href: "#/campaigns/new", text: "New campaign"})));
  if (flash) append(view, h("p", {class: "alert ok", role: "status", text: flash}));
  let campaigns;
  let names = {};
  try {
    const [list, catalog] = await Promise.all([loadCampaigns(), call("/admin/products").catch(() => ({products: []}))]);
    campaigns = list;
    names = Object.fromEntries((catalog.products || []).map((p) => [p.product_id, p.name]));
  } catch (err) {
    if (err.status === 401 || err.status === 403) return;
    append(view, loadError(err, "Campaigns", () => render(view.replaceChildren() || view, args)));
    return;
  }
  if (!campaigns.length) return void append(view, empty("No campaigns yet. Create the first one."));
  append(view, h("p", {class: "muted", role: "status", text: `${campaigns.length} campaign${campaigns.length === 1 ? "" : "s"}, latest ending first.`}),
    h("div", {class: "table-wrap"}, h("table", {class: "list campaigns"},
      h("caption", {class: "sr-only", text: "Campaigns, latest ending first"}),
      h("thead", {}, h("tr", {}, ["Campaign", "Status", "Runs (China time)", "Products", "Points", "Coupons: remaining of quota"]
        .map((t) => h("th", {scope: "col", text: t})))),
      h("tbody", {}, campaigns.map((c) => {
        const [label, cls] = STATUS[c.status] || [c.status, ""];
        return h("tr", {},
          h("td", {}, h("a", {href: `#/campaigns/${encodeURIComponent(c.campaign_id)}`, text: c.name}),
            c.description ? h("div", {class: "muted small", text: c.description}) : null),
          h("td", {}, h("span", {class: `badge ${cls}`, text: label})),
          h("td", {class: "small nowrap"}, chinaTime(c.starts_at), h("br"), "to ", chinaTime(c.ends_at)),
          h("td", {}, (c.product_ids || []).length ? h("ul", {class: "chips"}, c.product_ids.map((p) => h("li", {text: names[p] || p, title: p}))) : "All products"),
          h("td", {class: "num", text: `× ${c.points_multiplier}`}),
          h("td", {}, (c.coupons || []).length ? h("ul", {class: "plain-list small"}, c.coupons.map((k) => h("li", {},
            h("span", {class: "mono", text: k.coupon_id}), `: ${couponTerms(k)} · `,
            h("strong", {text: `${k.remaining ?? k.quota} of ${k.quota} left`})))) : h("span", {class: "muted", text: "No coupons"})));
      })))));
}

async function editor(view, id) {
  setTitle(id ? "Edit campaign" : "New campaign");
  let campaign = null;
  let products = [];
  try {
    const [list, catalog] = await Promise.all([id ? loadCampaigns() : [], call("/admin/products")]);
    products = [...(catalog.products || [])].sort((a, b) => a.name.localeCompare(b.name));
    if (id) {
      campaign = list.find((c) => c.campaign_id === id);
      if (!campaign) {
        append(view, h("p", {class: "crumbs"}, h("a", {href: "#/campaigns", text: "Campaigns"})),
          h("h1", {text: "Campaign not found"}), h("p", {class: "alert error", role: "alert", text: `No campaign has the id “${id}”. It may have been mistyped.`}));
        return;
      }
    }
  } catch (err) {
    if (err.status === 401 || err.status === 403) return;
    append(view, loadError(err, "Campaigns", null));
    return;
  }

  const now = Date.now();
  const name = input({name: "name", value: campaign?.name || "", maxlength: "60", required: true});
  const description = textarea({name: "description", value: campaign?.description || "", maxlength: "500"});
  const starts = input({type: "datetime-local", name: "starts_at", required: true,
    value: campaign ? chinaInput(campaign.starts_at) : chinaInput(new Date(Math.ceil(now / HOUR) * HOUR).toISOString())});
  const ends = input({type: "datetime-local", name: "ends_at", required: true,
    value: campaign ? chinaInput(campaign.ends_at) : chinaInput(new Date(Math.ceil(now / HOUR) * HOUR + 7 * 24 * HOUR).toISOString())});
  const multiplier = input({name: "points_multiplier", value: campaign?.points_multiplier || "1.0", inputmode: "decimal", class: "short"});
  const chosen = new Set(campaign?.product_ids || []);
  const productBoxes = products.map((p) => h("label", {class: "choice"},
    h("input", {type: "checkbox", name: "product_ids", value: p.product_id, checked: chosen.has(p.product_id)}),
    p.name, h("span", {class: "muted small mono", text: p.product_id})));

  const couponList = h("ol", {class: "rows"});
  const coupons = [];
  const addCoupon = (c = null) => {
    const row = couponRow(c, coupons.length);
    coupons.push(row);
    couponList.append(row.el);
    renumber();
    return row;
  };
  const renumber = () => coupons.forEach((row, i) => row.number(i));

  function couponRow(c, index) {
    const couponId = input({name: "coupon_id", value: c?.coupon_id || "", spellcheck: false, autocomplete: "off", readOnly: Boolean(c)});
    const kind = select([["amount", "Amount off (CNY)"], ["percent", "Percent off"]], c?.kind || "amount", {name: "kind"});
    const amount = input({name: "amount", inputmode: "decimal", value: c?.kind === "amount" ? yuanValue(c.amount_cents) : ""});
    const pct = input({name: "percent", inputmode: "numeric", value: c?.kind === "percent" ? String(c.percent) : ""});
    const minimum = input({name: "min_premium", inputmode: "decimal", value: c ? yuanValue(c.min_premium_cents) : "0.00"});
    const limit = input({type: "number", name: "per_member_limit", min: "1", max: "100", value: String(c?.per_member_limit ?? 1)});
    const quota = input({type: "number", name: "quota", min: "1", value: c ? String(c.quota) : ""});
    const title = h("h2", {class: "row-no"});
    const remove = h("button", {type: "button", class: "link danger small", text: "Remove coupon"});
    const wraps = {
      coupon_id: field("Coupon id", couponId, {hint: c ? "Fixed once created" : "Lower-case letters, digits and -, e.g. welcome-20"}),
      kind: field("Kind", kind),
      amount_cents: field("Amount off (CNY)", amount),
      percent: field("Percent off (1-90)", pct),
      min_premium_cents: field("Minimum premium (CNY)", minimum, {hint: "0 = any premium"}),
      per_member_limit: field("Per-member limit", limit),
      quota: field("Total quota", quota, {hint: c ? `${c.claimed ?? 0} claimed, ${c.remaining ?? c.quota} left` : "How many members can claim it in all"}),
    };
    const paint = () => {
      wraps.amount_cents.hidden = kind.value !== "amount";
      wraps.percent.hidden = kind.value !== "percent";
    };
    kind.addEventListener("change", paint);
    paint();
    const box = h("div", {role: "group"},
      h("div", {class: "row-head"}, title, remove),
      h("div", {class: "grid cols-4"}, Object.values(wraps)));
    const el = h("li", {class: "row-item"}, box);
    const row = {
      el,
      existing: Boolean(c),
      number(i) {
        title.textContent = `coupon ${i + 1}${c ? ` (${c.coupon_id})` : ""}`;
        box.setAttribute("aria-label", `Coupon ${i + 1}`);
        remove.setAttribute("aria-label", `Remove coupon ${i + 1}`);
        for (const [key, wrap] of Object.entries(wraps)) wrap.dataset.field = `coupons.${i}.${key}`;
        el.dataset.field = `coupons.${i}`;
      },
      value(problems, i) {
        const out = {coupon_id: couponId.value.trim(), kind: kind.value};
        if (kind.value === "amount") {
          const v = toCents(amount.value);
          if (v === null || v < 1) problems[`coupons.${i}.amount_cents`] = "Enter the amount off in CNY, e.g. 20 or 19.90";
          else out.amount_cents = v;
        } else {
          const v = Number(pct.value);
          if (!/^\d+$/.test(pct.value.trim()) || v < 1 || v > 90) problems[`coupons.${i}.percent`] = "Enter a whole percentage from 1 to 90";
          else out.percent = v;
        }
        const m = toCents(minimum.value || "0");
        if (m === null) problems[`coupons.${i}.min_premium_cents`] = "Enter the minimum premium in CNY (0 for any)";
        else out.min_premium_cents = m;
        for (const [key, el2] of [["per_member_limit", limit], ["quota", quota]]) {
          if (!/^\d+$/.test(el2.value.trim()) || Number(el2.value) < 1) problems[`coupons.${i}.${key}`] = "Enter a whole number, at least 1";
          else out[key] = Number(el2.value);
        }
        if (!out.coupon_id) problems[`coupons.${i}.coupon_id`] = "Give the coupon an id";
        return out;
      },
    };
    remove.addEventListener("click", () => {
      const at = coupons.indexOf(row);
      coupons.splice(at, 1);
      el.remove();
      renumber();
      (coupons[at]?.el.querySelector("input") || addButton).focus();
    });
    row.number(index);
    return row;
  }

  const addButton = h("button", {type: "button", class: "secondary", text: "Add a coupon", onclick: () => addCoupon().el.querySelector("input").focus()});
  (campaign?.coupons || []).forEach((c) => addCoupon(c));

  const alert = h("div", {hidden: true});
  const save = h("button", {type: "submit", text: id ? "Save campaign" : "Create campaign"});
  const form = h("form", {class: "campaign-form", novalidate: true},
    h("fieldset", {class: "card"}, h("legend", {text: "Campaign"}),
      h("div", {class: "grid cols-2"},
        field("Name", name, {path: "name", cls: "full"}),
        field("Description (optional)", description, {path: "description", cls: "full"}),
        field("Starts (China time)", starts, {path: "starts_at"}),
        field("Ends (China time)", ends, {path: "ends_at"}),
        field("Points multiplier", multiplier, {path: "points_multiplier", hint: "1.0 to 10, e.g. 2 doubles purchase points while the campaign runs"}))),
    h("fieldset", {class: "card", dataset: {field: "product_ids"}}, h("legend", {text: "Products"}),
      h("p", {class: "hint", text: "Tick none for every product."}),
      h("div", {class: "choices"}, productBoxes)),
    h("fieldset", {class: "card repeater", dataset: {field: "coupons"}}, h("legend", {text: "Coupons"}),
      h("p", {class: "hint", text: "A coupon already claimed cannot be removed and its quota cannot go below what was claimed."}),
      couponList, addButton),
    alert,
    h("div", {class: "save-bar"}, save, h("a", {href: "#/campaigns", text: "Back to campaigns"})));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    clearAlert(alert);
    const problems = {};
    if (!name.value.trim()) problems.name = "Give the campaign a name";
    if (!starts.value) problems.starts_at = "Enter when the campaign starts";
    if (!ends.value) problems.ends_at = "Enter when the campaign ends";
    else if (starts.value && ends.value <= starts.value) problems.ends_at = "Must be after the start";
    if (!/^\d+(\.\d{1,2})?$/.test(multiplier.value.trim()) || Number(multiplier.value) < 1 || Number(multiplier.value) > 10) {
      problems.points_multiplier = "Enter a number from 1.0 to 10 (at most two decimals)";
    }
    const body = {
      name: name.value.trim(),
      description: description.value.trim(),
      // An untouched time is sent as stored (the input drops its seconds).
      starts_at: campaign && starts.value === chinaInput(campaign.starts_at) ? campaign.starts_at : fromChinaInput(starts.value),
      ends_at: campaign && ends.value === chinaInput(campaign.ends_at) ? campaign.ends_at : fromChinaInput(ends.value),
      product_ids: productBoxes.map((l) => l.querySelector("input")).filter((b) => b.checked).map((b) => b.value),
      points_multiplier: multiplier.value.trim(),
      coupons: coupons.map((row, i) => row.value(problems, i)),
    };
    if (Object.keys(problems).length) {
      showFieldErrors(form, problems);
      showAlert(alert, "Please correct the fields marked above.");
      return;
    }
    setBusy(save, true, "Saving…");
    try {
      const saved = await call(id ? `/admin/campaigns/${encodeURIComponent(id)}` : "/admin/campaigns", {method: id ? "PUT" : "POST", body});
      setFlash(`Campaign “${saved.name}” ${id ? "saved" : "created"}${saved.coupons?.length ? ` with ${saved.coupons.length} coupon${saved.coupons.length === 1 ? "" : "s"}` : ""}.`);
      location.hash = "#/campaigns";
    } catch (err) {
      if (err.status === 401 || err.status === 403) return;
      setBusy(save, false);
      const rest = showFieldErrors(form, err.fields);
      if (err.status === 422) showAlert(alert, rest.length ? `Please correct: ${rest.map(([k, v]) => `${k.replace(/_/g, " ")} ${v}`).join("; ")}.` : "Please correct the fields marked above.");
      else if (err.status === 409) showAlert(alert, `Nothing was saved: ${err.message} Reload the campaign and make your change again.`);
      else if (err.status === 404) showAlert(alert, "This campaign no longer exists.");
      else showAlert(alert, loadError(err, "Saving campaigns").textContent);
    }
  });

  append(view,
    h("p", {class: "crumbs"}, h("a", {href: "#/campaigns", text: "Campaigns"}), " / ", id ? campaign.name : "New"),
    h("div", {class: "page-head"}, h("h1", {text: id ? `Edit “${campaign.name}”` : "New campaign"}),
      campaign ? h("span", {class: `badge ${(STATUS[campaign.status] || [])[1] || ""}`, text: (STATUS[campaign.status] || [campaign.status])[0]}) : null),
    form);
  name.focus();
}
