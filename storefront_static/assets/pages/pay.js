import {api} from "../api.js";
import {$, cents, h, param, setBusy, showAlert, showError} from "../ui.js";

const intentId = param("intent");
// The payer's client secret comes in the link's fragment (never sent to a server); paying needs it.
const clientSecret = new URLSearchParams(location.hash.slice(1)).get("client_secret");
const root = $("#pay");
const statusLink = (orderId) => `order-status.html?id=${encodeURIComponent(orderId)}`;

async function pay(intent, button) {
  setBusy(button, true, "Paying…");
  try {
    await api(`/sandbox-payments/${encodeURIComponent(intent.intent_id)}/pay`, {method: "POST", body: {client_secret: clientSecret}});
    location.href = statusLink(intent.order_id);
  } catch (err) {
    setBusy(button, false);
    // A failed payment: say plainly that nothing was taken and what to do next.
    const retry = err.network || err.status >= 500;
    showAlert($("#alert"), `Your payment did not go through. ${retry ? "No money was taken. " : ""}${err.message}`,
      {retry: retry ? () => pay(intent, button) : undefined});
    if (!retry) $("#alert").append(h("p", {}, h("a", {href: statusLink(intent.order_id), text: "Back to the order status"})));
    $("#alert").scrollIntoView({block: "center"});
  }
}

async function load() {
  const loading = $("#loading");
  if (!intentId) {
    loading.hidden = true;
    return root.replaceChildren(h("p", {text: "This link has no payment in it. Open the payment from your order's status page."}));
  }
  try {
    const intent = await api(`/sandbox-payments/${encodeURIComponent(intentId)}`);
    const amount = cents(intent.amount_cents, intent.currency);
    const card = h("section", {class: "card sandbox", "aria-labelledby": "amount-h"},
      h("h2", {id: "amount-h", text: "Amount to pay"}),
      h("p", {class: "price", text: amount}),
      h("p", {class: "muted", text: `Order ${intent.order_id}`}));
    if (intent.status === "requires_payment" && !clientSecret) {
      card.append(h("p", {class: "alert info", text: "This link cannot pay: open the payment from your order's status page."}));
    } else if (intent.status === "requires_payment") {
      const button = h("button", {type: "button", text: `Pay ${amount} (sandbox)`});
      button.addEventListener("click", () => pay(intent, button));
      card.append(h("div", {class: "actions"}, button));
    } else {
      const said = {succeeded: "This payment is already made.", refunded: "This payment was made and has been refunded.",
        canceled: "This payment was cancelled because the order expired."}[intent.status] || `This payment is ${intent.status}.`;
      card.append(h("p", {class: "alert info", text: said}));
    }
    card.append(h("p", {}, h("a", {href: statusLink(intent.order_id), text: "Back to the order status"})));
    root.replaceChildren(card);
  } catch (err) {
    if (err.status === 404) err.message = "We could not find this payment. Open it again from your order's status page.";
    showError($("#alert"), err, load);
  } finally {
    loading.hidden = true;
  }
}

load();
