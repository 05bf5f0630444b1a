// Mall home: banners, categories, needs, featured and recommended products, search by name or need.
import {api} from "../api.js";
import {productCard} from "../cards.js";
import {$, h, param, showError} from "../ui.js";

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
  const [home, list, recs] = await Promise.allSettled([
    api(`/home?channel=${channel}`),
    api(`/products?${query}`),
    answers ? api("/recommendations", {method: "POST", body: answers}) : Promise.resolve(null),
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
  const failed = [home, list].find((r) => r.status === "rejected");
  if (failed) showError(alert, failed.reason, load);
}

load();
