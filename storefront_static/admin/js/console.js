// The operator console: sign in, check the operator role, then route #/<section> to a screen.
import {api} from "../../assets/api.js";
import {clearSession, getSession, saveSession} from "../../assets/session.js";
import {$, $$, clearAlert, clearFieldErrors, field, h, input, setBusy, setTitle, showAlert, showFieldErrors} from "./dom.js";

const main = $("#main");
const nav = $("#nav");
const account = $("#account");

const screens = {
  statistics: () => import("./statistics.js"),
  exports: () => import("./exports.js"),
  products: () => import("./products.js"),
  product: () => import("./product.js"),
  banners: () => import("./banners.js"),
  featured: () => import("./featured.js"),
  categories: () => import("./categories.js"),
  audit: () => import("./audit.js"),
  policies: () => import("./policies.js"),
  "commission-rates": () => import("./commission-rates.js"),
  withdrawals: () => import("./withdrawals.js"),
  campaigns: () => import("./campaigns.js"),
  members: () => import("./members.js"),
  programme: () => import("./programme.js"),
};

// "#/products/abc/rates" -> {screen: "product", args: {id: "abc", tab: "rates"}}
function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("?")[0].split("/").filter(Boolean).map(decodeURIComponent);
  const query = new URLSearchParams(location.hash.split("?")[1] || "");
  const [section = "products", id, tab] = parts;
  if (section === "products" && id === "new") return {section, screen: "product", args: {id: null, tab: "details"}, query};
  if (section === "products" && id) return {section, screen: "product", args: {id, tab: tab || "details"}, query};
  if (section === "policies") return {section, screen: "policies", args: {policy_no: id || ""}, query};
  if (section === "withdrawals") return {section, screen: "withdrawals", args: {status: id || "pending"}, query};
  if (section === "campaigns" || section === "members") return {section, screen: section, args: {id: id || null}, query};
  if (section in screens) return {section, screen: section, args: {}, query};
  return {section: "products", screen: "products", args: {}, query};
}

let operator = false;
let rendering = 0;

async function render() {
  if (!operator) return;
  const {section, screen, args, query} = route();
  $$("a[data-section]", nav).forEach((a) => {
    if (a.dataset.section === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  const ticket = ++rendering;
  const view = h("div", {class: "view"});
  main.replaceChildren(h("p", {class: "loading", role: "status", text: "Loading…"}));
  main.setAttribute("aria-busy", "true");
  try {
    const module = await screens[screen]();
    if (ticket !== rendering) return;
    main.replaceChildren(view);
    await module.render(view, args, query);
  } catch (err) {
    if (ticket !== rendering || !operator) return;
    main.replaceChildren(h("div", {class: "alert error", role: "alert"},
      h("p", {text: err.message || String(err)}),
      h("button", {type: "button", class: "secondary", text: "Try again", onclick: render})));
  } finally {
    if (ticket === rendering) main.removeAttribute("aria-busy");
  }
}

function showAccount(email) {
  account.replaceChildren(
    h("span", {class: "who", text: email}),
    h("button", {type: "button", class: "link", text: "Sign out", onclick: () => {
      clearSession();
      operator = false;
      signInScreen();
    }}));
}

function signInScreen(message) {
  operator = false;
  nav.hidden = true;
  account.replaceChildren();
  setTitle("Sign in");
  const alert = h("div", {hidden: true});
  const email = input({type: "email", name: "email", autocomplete: "username", required: true});
  const password = input({type: "password", name: "password", autocomplete: "current-password", required: true});
  const form = h("form", {class: "card narrow", novalidate: true},
    field("E-mail", email, {path: "email"}),
    field("Password", password, {path: "password"}),
    h("div", {class: "actions"}, h("button", {type: "submit", text: "Sign in"})));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    clearAlert(alert);
    const problems = {};
    if (!email.value.trim()) problems.email = "Enter your e-mail address";
    if (!password.value) problems.password = "Enter your password";
    if (Object.keys(problems).length) return void showFieldErrors(form, problems);
    const button = form.querySelector("button[type=submit]");
    setBusy(button, true, "Signing in…");
    try {
      const data = await api("/members/signin", {method: "POST", body: {email: email.value.trim(), password: password.value}});
      saveSession(data.tokens, email.value.trim().toLowerCase());
      await start();
    } catch (err) {
      setBusy(button, false);
      showAlert(alert, err.message);
      showFieldErrors(form, err.fields);
    }
  });
  main.replaceChildren(h("div", {class: "view narrow"},
    h("h1", {text: "Sign in to the operator console"}),
    message ? h("p", {class: "alert info", text: message}) : null,
    alert, form,
    h("p", {class: "muted"}, "Looking for the shop? ", h("a", {href: "../index.html", text: "Go to the storefront"}), ".")));
  email.focus();
}

function refusalScreen(email) {
  operator = false;
  nav.hidden = true;
  setTitle("Operators only");
  main.replaceChildren(h("div", {class: "view narrow refusal"},
    h("h1", {text: "This area is for operators"}),
    h("p", {}, "You are signed in as ", h("strong", {text: email || "a customer"}),
      ". The operator console runs the catalog and is open to InsureMall operators only, so nothing from it is shown here."),
    h("div", {class: "actions"},
      h("a", {class: "button", href: "../index.html", text: "Go to the storefront"}),
      h("button", {type: "button", class: "secondary", text: "Sign in as an operator", onclick: () => {
        clearSession();
        signInScreen();
      }}))));
  $("h1", main).focus?.();
}

async function start() {
  const session = getSession();
  if (!session) return signInScreen();
  main.replaceChildren(h("p", {class: "loading", role: "status", text: "Checking your access…"}));
  let me;
  try {
    me = await api("/members/me");
  } catch (err) {
    if (err.status === 401) return signInScreen("Your session has ended. Please sign in again.");
    main.replaceChildren(h("div", {class: "alert error", role: "alert"}, h("p", {text: err.message}),
      h("button", {type: "button", class: "secondary", text: "Try again", onclick: start})));
    return;
  }
  const email = (me.member && me.member.email) || session.email;
  showAccount(email);
  if (!me.operator) return refusalScreen(email);
  operator = true;
  nav.hidden = false;
  await render();
}

window.addEventListener("hashchange", render);
window.addEventListener("console:signed-out", () => signInScreen("Your session has ended. Please sign in again."));
window.addEventListener("console:refused", () => refusalScreen((getSession() || {}).email));

start();
