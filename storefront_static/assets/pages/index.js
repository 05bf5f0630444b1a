// Mall home: banners, categories, needs, featured and recommended products, search by name or need.
import {api} from "../api.js";
import {productCard} from "../cards.js";
import {getSession} from "../session.js";
import {$, cents, h, param, setBusy, showError, timeNote, when} from "../ui.js";

const q = (param("q") || "").trim();
const category = param("category") || "";
// Operators choose per product which screens show it: phones get the H5 list, wide screens the PC list.
const channel = matchMedia("(min-width: 64em)").matches ? "pc" : "h5";
const NEEDS_KEY = "insuremall.needs";
const searching = Boolean(q || category);

function banner(b) {
  const theme = ["blue", "green", "orange", "purple"].includes(b.theme) ? b.theme : "blue";
  // Operators enter the link: a page of the mall ("/page.html?..." or "page.html?...") or an https:// address.
  const link = String(b.link || "").trim();
  const own = link.replace(/^\//, "");
  const href = /^[a-z][a-z0-9-]*\.html(\?[^#\s]*)?$/i.test(own) ? own : (/^https:\/\/[^\s]+$/i.test(link) ? link : "index.html");
  return h("li", {}, h("a", {class: `banner theme-${theme}`, href},
    h("strong", {text: b.title}), b.subtitle ? h("span", {text: b.subtitle}) : null, h("span", {class: "cta", "aria-hidden": "true", text: "See more"})));
}

// Banners beyond the row's width scroll sideways; one reached by the keyboard is brought into view
// (Chromium leaves a partly visible one where it is).
$("#banners").addEventListener("focusin", (event) => event.target.scrollIntoView({block: "nearest", inline: "nearest"}));

function categoryTile(c) {
  const here = c.category_id === category;
  const href = here ? "index.html" : `index.html?category=${encodeURIComponent(c.category_id)}`;
  return h("li", {}, h("a", {href, "aria-current": here ? "page" : null},
    // A letter in a coloured disc: emoji icons depend on the device's fonts.
    h("span", {class: "icon", "aria-hidden": "true", text: c.name.charAt(0)}), c.name));
}

function needChip(n) {
  const href = `index.html?q=${encodeURIComponent(n.label.toLowerCase())}`;
  return h("li", {}, h("a", {href, "aria-current": q.toLowerCase() === n.label.toLowerCase() ? "true" : null, text: n.label}));
}

function renderHome(home) {
  if (home.needs?.length) $("#needs").replaceChildren(...home.needs.map(needChip));
  const cats = [...(home.categories || [])].sort((a, b) => a.sort - b.sort);
  $("#categories").replaceChildren(...cats.map(categoryTile));
  const current = cats.find((c) => c.category_id === category);
  if (current) {
    document.title = `${current.name} insurance - InsureMall`;
    $("#results-h").textContent = `${current.name} insurance`;
  }
  if (searching) return;
  $("#banners").replaceChildren(...(home.banners || []).map(banner));
  $("#banners").hidden = !home.banners?.length;
  $("#featured").hidden = !home.featured?.length;
  $("#featured-list").replaceChildren(...(home.featured || []).map((p) => productCard(p, {label: p.slot_label})));
}

// ---------- campaigns ----------
// A visitor who pressed Claim comes back from signing in with ?claim=<campaign>:<coupon>; it is claimed then.
const CLAIM_NEXT = /^([0-9a-f]{12}):([a-z0-9][a-z0-9-]{0,31})$/;

function couponOff(c) {
  return c.kind === "percent" ? `${c.percent}% off` : `${cents(c.amount_cents)} off`;
}

function claimMessage(err, c) {
  if (err.code === "sold_out") return "Sorry, this coupon is all claimed.";
  if (err.code === "limit_reached") return `You already have this coupon (${c.per_member_limit} per member). Find it under My rewards.`;
  if (err.code === "campaign_not_active") return "This campaign is not running any more.";
  return err.message;
}

function couponItem(campaign, c, mine) {
  const left = Number(c.remaining);
  const owned = mine.get(`${campaign.campaign_id}:${c.coupon_id}`) || 0;
  const atLimit = c.per_member_limit && owned >= c.per_member_limit;
  const status = h("p", {class: "claim-status", role: "status"});
  const remaining = h("span", {class: "muted", text: left > 0 ? `${left} left` : "All claimed"});
  const id = `coupon-${campaign.campaign_id}-${c.coupon_id}`;
  // The button's name is what it does now (Claim, Claimed, Sold out); which coupon it is comes as its description.
  const button = h("button", {type: "button", class: "small", "data-coupon": c.coupon_id, "aria-describedby": `${id}-off campaign-${campaign.campaign_id}`,
    text: left > 0 ? (atLimit ? "Claimed" : "Claim") : "Sold out", disabled: left <= 0 || atLimit});
  if (atLimit) status.textContent = "You have claimed this coupon. Use it on the order page.";
  const terms = [c.min_premium_cents ? `On a premium of ${cents(c.min_premium_cents)} or more` : "On any premium",
    c.per_member_limit ? `${c.per_member_limit} per member` : null].filter(Boolean).join(" · ");
  button.addEventListener("click", () => claim(campaign, c, {button, status, remaining}));
  return h("li", {id},
    h("div", {}, h("span", {class: "off", id: `${id}-off`, text: couponOff(c)}), h("div", {class: "muted", text: terms})),
    h("div", {class: "row"}, remaining, " ", button), status);
}

async function claim(campaign, c, {button, status, remaining}) {
  if (!getSession()) {
    location.href = "signin.html?next=" + encodeURIComponent(`index.html?claim=${campaign.campaign_id}:${c.coupon_id}`);
    return;
  }
  setBusy(button, true, "Claiming…");
  try {
    await api(`/campaigns/${encodeURIComponent(campaign.campaign_id)}/coupons/${encodeURIComponent(c.coupon_id)}/claim`, {method: "POST"});
    setBusy(button, false);
    button.textContent = "Claimed";
    button.disabled = true;
    const left = Math.max(0, Number(c.remaining) - 1);
    c.remaining = left;
    remaining.textContent = left > 0 ? `${left} left` : "All claimed";
    status.className = "claim-status ok";
    status.replaceChildren("Claimed. It is in ", h("a", {href: "rewards.html#coupons", text: "My rewards"}), "; use it on the order page.");
  } catch (err) {
    setBusy(button, false);
    if (err.status === 401) {
      location.href = "signin.html?next=" + encodeURIComponent(`index.html?claim=${campaign.campaign_id}:${c.coupon_id}`);
      return;
    }
    status.className = "claim-status field-error";
    status.textContent = claimMessage(err, c);
    if (err.code === "sold_out") {
      remaining.textContent = "All claimed";
      button.textContent = "Sold out";
      button.disabled = true;
    } else if (err.code === "limit_reached" || err.code === "campaign_not_active") {
      button.disabled = true;
    }
  }
}

function campaignCard(campaign, names, mine) {
  const products = campaign.product_ids?.length
    ? campaign.product_ids.map((id) => names.get(id) || id).join(", ") : "every product";
  return h("li", {class: "card"},
    h("h3", {id: `campaign-${campaign.campaign_id}`, text: campaign.name}),
    campaign.description ? h("p", {text: campaign.description}) : null,
    h("p", {class: "muted", text: `For ${products}. Until ${when(campaign.ends_at)}.`}),
    Number(campaign.points_multiplier) > 1 ? h("p", {text: `${campaign.points_multiplier}× points on purchases.`}) : null,
    campaign.coupons?.length ? h("ul", {class: "campaign-coupons", "aria-label": `Coupons of ${campaign.name}`},
      campaign.coupons.map((c) => couponItem(campaign, c, mine))) : null);
}

// Coupons the signed-in member already holds, by campaign and coupon: their Claim buttons say so.
async function myClaims() {
  const held = new Map();
  if (!getSession()) return held;
  try {
    for (const c of (await api("/members/me/coupons")).coupons || []) {
      const key = `${c.campaign_id}:${c.coupon_id}`;
      held.set(key, (held.get(key) || 0) + 1);
    }
  } catch { /* the buttons still work; the server refuses a claim over the limit */ }
  return held;
}

function renderCampaigns(campaigns, products, mine) {
  const names = new Map((products || []).map((p) => [p.product_id, p.name]));
  $("#campaigns-list").replaceChildren(...campaigns.map((c) => campaignCard(c, names, mine)));
  $("#campaigns .time-note") || $("#campaigns-h").after(timeNote());
  $("#campaigns").hidden = !campaigns.length;
  const wanted = CLAIM_NEXT.exec(param("claim") || "");
  if (!wanted || !getSession()) return;
  history.replaceState(null, "", "index.html");
  const item = document.getElementById(`coupon-${wanted[1]}-${wanted[2]}`);
  const button = item?.querySelector("button");
  if (!item) return;
  item.scrollIntoView({block: "center"});
  if (button && !button.disabled) button.click();
  else item.querySelector(".claim-status").textContent ||= "This coupon cannot be claimed now.";
  button?.focus();
}

function readAnswers() {
  try { return JSON.parse(localStorage.getItem(NEEDS_KEY) || "null"); } catch { return null; }
}

// Without answers the invitation in the page stays; with them, the top three of the ranking.
function forYou(recommendations) {
  const top = (recommendations || []).slice(0, 3);
  if (!top.length) return;
  $("#for-you-body").replaceChildren(h("ul", {class: "products"}, top.map((r) => productCard(r.product, {label: r.reasons?.[0]}))),
    h("p", {}, h("a", {href: "recommend.html", text: "Change my answers"})));
}

// Everything is drawn in one pass once the answers are in, so nothing on screen jumps as parts arrive.
async function load() {
  const loading = $("#loading");
  const alert = $("#alert");
  alert.hidden = true;
  loading.hidden = false;
  const query = new URLSearchParams({channel});
  if (q) query.set("q", q);
  if (category) query.set("category", category);
  $("#results").hidden = !searching;
  $("#featured").hidden = searching;
  $("#all").hidden = searching;
  $("#for-you").hidden = searching;
  $("#banners").hidden = searching;
  if (q) {
    $("#q").value = q;
    $("#results-h").textContent = `Results for “${q}”`;
    document.title = `${q} - search - InsureMall`;
  }
  const answers = searching ? null : readAnswers();
  const [home, list, recs, campaigns, mine] = await Promise.allSettled([
    api(`/home?channel=${channel}`),
    api(`/products?${query}`),
    answers ? api("/recommendations", {method: "POST", body: answers}) : Promise.resolve(null),
    searching ? Promise.resolve(null) : api("/campaigns"),
    searching ? Promise.resolve(null) : myClaims(),
  ]);
  loading.hidden = true;
  if (home.status === "fulfilled") renderHome(home.value);
  if (list.status === "fulfilled") {
    const data = list.value;
    const items = data.products.map((p) => productCard(p));
    if (searching) {
      $("#results-list").replaceChildren(...items);
      $("#results-status").textContent = data.products.length
        ? `${data.products.length} product${data.products.length === 1 ? "" : "s"} found.`
        : (q ? `Nothing matches “${q}”. Try another word, or pick a need above.` : "No products in this category yet.");
    } else {
      $("#products").replaceChildren(...items);
    }
  }
  if (!searching && recs.status === "fulfilled") forYou(recs.value?.recommendations);
  // Campaigns are extra: without them (none running, or not offered here) the mall works as before.
  if (!searching && campaigns.status === "fulfilled") {
    renderCampaigns(campaigns.value.campaigns || [], list.value?.products, mine.value || new Map());
  }
  const failed = [home, list].find((r) => r.status === "rejected");
  if (failed) showError(alert, failed.reason, load);
}

load();
