// The audit trail: who changed what and when, newest first, optionally for one entity.
import {append, CHINA_TIME_NOTE, clearAlert, empty, field, h, input, select, setBusy, setTitle, showAlert, STATUS, when} from "./dom.js";
import {call} from "./shared.js";
import {diffSides} from "./text-diff.js";

const ACTIONS = {
  "product.created": "created the product",
  "product.updated": "edited the product",
  "product.shelved": "changed the shelf status",
  "rates.published": "published a rate table",
  "banner.created": "created a banner",
  "banner.updated": "edited a banner",
  "banner.deleted": "deleted a banner",
  "featured.updated": "changed the featured slots",
  "category.created": "created a category",
  "category.updated": "edited a category",
  "policy.cancelled": "cancelled the policy",
  "commission-rate.added": "added a commission rate",
  "commission-rate.replaced": "replaced a scheduled commission rate",
  "withdrawal.approved": "approved the withdrawal",
  "withdrawal.rejected": "rejected the withdrawal",
  "withdrawal.paid": "paid the withdrawal out",
  "campaign.created": "created the campaign",
  "campaign.updated": "edited the campaign",
  "member.licence_set": "set the member's agent licence",
  "settings.updated": "changed the programme settings",
};

// The kinds of entity the trail can be narrowed to ("featured" and "settings" have a single one each).
const TYPES = [["", "Everything"], ["product", "A product"], ["banner", "A banner"], ["featured", "Featured slots"], ["category", "A category"],
  ["policy", "A policy"], ["member", "A member"], ["commission-rates", "Commission rates"], ["withdrawal", "A withdrawal"],
  ["campaign", "A campaign"], ["settings", "Programme settings"]];
const SINGLE = {featured: "featured:home", settings: "settings:rewards"};
const EXAMPLE = {product: "accident-guardian", policy: "P2026...", member: "member id", "commission-rates": "product:accident-guardian or category:travel",
  withdrawal: "withdrawal id (16 characters)", campaign: "campaign id (12 characters)"};
// The API narrows by "<type>:<id>" with one colon; a commission-rates entity has two, so it is narrowed here.
const narrowedHere = (entity) => entity.startsWith("commission-rates:");

export const describeAction = (action) => ACTIONS[action] || String(action || "changed").replace(/[._]/g, " ");

function show(value) {
  if (value === null || value === undefined || value === "") return h("span", {class: "muted", text: "(none)"});
  if (typeof value === "string" && STATUS[value]) return h("span", {text: STATUS[value]});
  // Featured slots read better as "1. product (label)".
  if (Array.isArray(value) && value.every((v) => v && typeof v === "object" && "product_id" in v)) {
    return h("ol", {class: "slot-list"}, value.map((v) => h("li", {text: v.label ? `${v.product_id} (${v.label})` : v.product_id})));
  }
  const text = asText(value);
  return text.length > SHORT ? h("span", {title: text, text: text.slice(0, SHORT - 2) + "…"}) : h("span", {text});
}

const SHORT = 90;
const asText = (value) => (typeof value === "string" ? value : JSON.stringify(value));
const blank = (value) => value === null || value === undefined || value === "";
// A long value changed: both sides with the changed words marked, around them only some context.
const wantsDiff = (c) => "from" in c && !blank(c.from) && !blank(c.to) && !STATUS[c.from] && !STATUS[c.to]
  && Math.max(asText(c.from).length, asText(c.to).length) > SHORT;

function diffView(from, to) {
  const sides = diffSides(asText(from), asText(to));
  const line = (side, label, tag) => h("div", {class: `diff-line ${side === "-" ? "was" : "now"}`},
    h("span", {class: "diff-label", text: label}),
    sides[side].map((part) => (part.changed ? h(tag, {text: clip(part.text)}) : part.text)));
  return h("div", {class: "diff"}, line("-", "Before: ", "del"), line("+", "After: ", "ins"));
}

const clip = (text, most = 300) => (text.length <= most ? text : `${text.slice(0, most / 2)} … ${text.slice(-most / 2)}`);

function changeList(changes) {
  const entries = Object.entries(changes || {});
  if (!entries.length) return h("span", {class: "muted", text: "—"});
  const dl = h("dl", {class: "changes"}, entries.map(([name, change]) => {
    const c = change && typeof change === "object" && ("from" in change || "to" in change) ? change : {to: change};
    return [h("dt", {text: name.replace(/_/g, " ")}),
      h("dd", {}, wantsDiff(c) ? diffView(c.from, c.to)
        : ["from" in c ? [show(c.from), h("span", {class: "arrow", "aria-label": "changed to", text: " → "})] : null, show(c.to)])];
  }));
  return entries.length > 4 ? h("details", {}, h("summary", {text: `${entries.length} fields: ${entries.slice(0, 3).map(([n]) => n).join(", ")}…`}), dl) : dl;
}

function entityLink(entity, action = "") {
  const [type, id, ...rest] = String(entity || "").split(":");
  if (type === "product" && id) return h("a", {href: `#/products/${encodeURIComponent(id)}`, text: entity});
  if (type === "policy" && id) return h("a", {href: `#/policies/${encodeURIComponent(id)}`, text: entity});
  if (type === "member" && id) return h("a", {href: `#/members/${encodeURIComponent(id)}`, text: entity});
  if (type === "campaign" && id) return h("a", {href: `#/campaigns/${encodeURIComponent(id)}`, text: entity});
  if (type === "settings") return h("a", {href: "#/programme", text: entity});
  if (type === "commission-rates" && id) return h("a", {href: `#/commission-rates?scope=${encodeURIComponent([id, ...rest].join(":"))}`, text: entity});
  // A withdrawal has no page of its own: its queue by the status the change left it in.
  if (type === "withdrawal" && id) {
    const status = {"withdrawal.approved": "approved", "withdrawal.paid": "paid", "withdrawal.rejected": "rejected"}[action] || "pending";
    return h("a", {href: `#/withdrawals/${status}`, text: entity, title: `Withdrawals: ${status}`});
  }
  return h("span", {class: "mono", text: entity || ""});
}

export function auditTable(entries, {showEntity = true, onEntity} = {}) {
  if (!entries.length) return empty("No changes recorded yet.");
  return h("div", {class: "table-wrap"}, h("table", {class: "list audit"},
    h("caption", {class: "sr-only", text: "Audit trail, newest first"}),
    h("thead", {}, h("tr", {}, ["When", "Who", "What", showEntity ? "Entity" : null, "Changes"].filter(Boolean)
      .map((t) => h("th", {scope: "col", text: t})))),
    h("tbody", {}, entries.map((e) => h("tr", {},
      h("td", {class: "nowrap"}, h("time", {datetime: e.at, text: when(e.at)})),
      h("td", {text: e.actor?.email || e.actor?.id || ""}),
      h("td", {}, describeAction(e.action), h("div", {class: "muted small mono", text: e.action})),
      showEntity ? h("td", {}, entityLink(e.entity, e.action), " ", onEntity && e.entity
        ? h("button", {type: "button", class: "link small", onclick: () => onEntity(e.entity)},
          "Only this", h("span", {class: "sr-only", text: `: show only the changes to ${e.entity}`}))
        : null) : null,
      h("td", {}, changeList(e.changes)))))));
}

export async function render(view, _args, query) {
  setTitle("Audit trail");
  const type = select(TYPES, (query.get("entity") || "").split(":")[0], {name: "type"});
  const id = input({name: "id", value: (query.get("entity") || "").split(":").slice(1).join(":"), spellcheck: false, placeholder: "e.g. accident-guardian"});
  const idField = field("Id", id, {hint: "Leave empty for all of that kind."});
  const limit = select([["50", "50"], ["100", "100"], ["200", "200"]], query.get("limit") || "50", {name: "limit"});
  const alert = h("div", {hidden: true});
  const results = h("div", {"aria-live": "polite"});
  const go = h("button", {type: "submit", text: "Show"});

  const entity = () => (SINGLE[type.value] || (type.value && id.value.trim() ? `${type.value}:${id.value.trim()}` : ""));
  const load = async () => {
    clearAlert(alert);
    setBusy(go, true, "Loading…");
    const params = new URLSearchParams({limit: limit.value});
    const e = entity();
    if (e) params.set("entity", e);
    history.replaceState(null, "", "#/audit?" + params);
    if (e && narrowedHere(e)) params.delete("entity");
    try {
      const data = await call(`/admin/audit?${params}`);
      let entries = data.entries || [];
      // Without an id the API gives everything; keep only the kind asked for.
      if (type.value && !e.includes(":")) entries = entries.filter((x) => String(x.entity || "").split(":")[0] === type.value);
      if (e && narrowedHere(e)) entries = entries.filter((x) => x.entity === e);
      results.replaceChildren(h("p", {class: "muted", role: "status", text: `${entries.length} change${entries.length === 1 ? "" : "s"}${e ? " to " + e : ""}, newest first.`}),
        auditTable(entries, {onEntity: (picked) => {
          const [t, ...rest] = picked.split(":");
          type.value = t;
          id.value = rest.join(":");
          load();
        }}));
    } catch (err) {
      showAlert(alert, err.message);
    } finally {
      setBusy(go, false);
    }
  };
  const paintId = () => {
    idField.hidden = !type.value || type.value in SINGLE;
    id.placeholder = `e.g. ${EXAMPLE[type.value] || "the id"}`;
  };
  type.addEventListener("change", paintId);
  paintId();
  const form = h("form", {class: "filters-bar", role: "search"}, field("Changes to", type), idField, field("Show", limit),
    h("div", {class: "actions"}, go));
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  append(view, h("h1", {text: "Audit trail"}),
    h("p", {class: "muted", text: `Every change operators make to the catalog, policy cancellations, and the rewards programme (commission rates, withdrawal decisions, campaigns, members' agent licences, programme settings): who, when and what changed. ${CHINA_TIME_NOTE}`}),
    form, alert, results);
  await load();
}
