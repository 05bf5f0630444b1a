// Withdrawals: the queue of members' withdrawal requests by status. Approving pays out through the
// payout provider (then "paid"); rejecting returns the money to the member's available balance.
import {append, CHINA_TIME_NOTE, clearAlert, empty, field, h, setBusy, setTitle, showAlert, showFieldErrors, textarea, when} from "./dom.js";
import {call} from "./shared.js";
import {cents, loadError, pageHeadTabs, shortId} from "./rewards.js";

const TABS = [["pending", "Pending"], ["approved", "Approved, not paid"], ["paid", "Paid"], ["rejected", "Rejected"]];
const STATUS = {pending: "Pending", approved: "Approved", paid: "Paid", rejected: "Rejected"};
const BADGE = {pending: "scheduled", approved: "", paid: "live", rejected: "ended"};
const NOTE_MAX = 200;

const account = (a) => (a ? `${a.holder_name || ""} · ${a.bank_name || ""} · ${a.account_no || ""}` : "—");
const statusBadge = (s) => h("span", {class: `badge ${BADGE[s] || ""}`.trim(), text: STATUS[s] || s});

function plainError(err, w) {
  if (err.status === 404) return "This withdrawal no longer exists. Reload the queue.";
  if (err.status === 409 && err.fields && err.fields.decision) {
    return `Nothing was changed: ${err.message.replace(/\.$/, "")}. Someone else may have decided it meanwhile; reload the queue to see where it stands.`;
  }
  if (err.status === 409) return `${err.message} (withdrawal of ${cents(w.amount_cents)}).`;
  return err.message;
}

export async function render(view, args) {
  const status = STATUS[args.status] ? args.status : "pending";
  setTitle(`Withdrawals: ${STATUS[status]}`);
  const outcome = h("div", {"aria-live": "polite"});
  const list = h("div");
  const more = h("div", {class: "actions"});
  const count = h("p", {class: "muted", role: "status"});
  let shown = [];

  append(view,
    h("h1", {text: "Withdrawals"}),
    h("p", {class: "muted", text: `Members withdraw their available promotion fees to the payout account on file. Approving pays the money out at once; rejecting gives it back to the member's available balance. Every decision is recorded in the audit trail. ${CHINA_TIME_NOTE}`}),
    pageHeadTabs("Withdrawal status", TABS.map(([key, label]) => [`#/withdrawals/${key}`, label, key]), status),
    outcome, count, list, more);

  async function load(after) {
    list.setAttribute("aria-busy", "true");
    try {
      const params = new URLSearchParams({status, limit: "50"});
      if (after) params.set("after", after);
      const data = await call(`/admin/withdrawals?${params}`);
      shown = after ? shown.concat(data.withdrawals || []) : data.withdrawals || [];
      paint();
      more.replaceChildren(data.next ? h("button", {type: "button", class: "secondary", text: "Show more", onclick: () => load(data.next)}) : "");
    } catch (err) {
      if (err.status === 401 || err.status === 403) return;
      list.replaceChildren(loadError(err, "Withdrawal approvals", () => load()));
    } finally {
      list.removeAttribute("aria-busy");
    }
  }

  function paint() {
    count.textContent = `${shown.length} ${STATUS[status].toLowerCase()} withdrawal${shown.length === 1 ? "" : "s"}${status === "pending" || status === "approved" ? ", oldest first" : ", newest first"}.`;
    if (!shown.length) {
      list.replaceChildren(empty(status === "pending" ? "No withdrawals are waiting for a decision." : `No ${STATUS[status].toLowerCase()} withdrawals.`));
      return;
    }
    const decides = status === "pending" || status === "approved";
    list.replaceChildren(h("div", {class: "table-wrap"}, h("table", {class: "list withdrawals"},
      h("caption", {class: "sr-only", text: `${STATUS[status]} withdrawals`}),
      h("thead", {}, h("tr", {}, ["Requested", "Member", "Amount", "Payout account", "Status", decides ? "Decision" : "Decided"]
        .map((t, i) => h("th", {scope: "col", class: i === 2 ? "num" : null, text: t})))),
      h("tbody", {}, shown.map(row)))));
  }

  function row(w) {
    const last = (w.history || []).at(-1) || {};
    return h("tr", {id: `w-${w.withdrawal_id}`},
      h("td", {class: "nowrap"}, h("time", {datetime: w.requested_at, text: when(w.requested_at)}),
        h("div", {class: "muted small mono", text: w.withdrawal_id})),
      h("td", {}, h("a", {href: `#/members/${encodeURIComponent(w.member_id)}`, text: shortId(w.member_id), "aria-label": `Member ${w.member_id}`})),
      h("td", {class: "num nowrap"}, h("strong", {text: cents(w.amount_cents)})),
      h("td", {class: "small", text: account(w.payout_account)}),
      h("td", {}, statusBadge(w.status), w.auto_approved ? h("div", {class: "muted small", text: "approved automatically"}) : null,
        w.note ? h("div", {class: "small", text: `Note: ${w.note}`}) : null),
      status === "pending" || status === "approved" ? h("td", {class: "decide"}, decisionPanel(w))
        : h("td", {class: "small"}, when(w.decided_at || last.at), w.payout && w.payout.payout_id ? h("div", {class: "muted mono", text: w.payout.payout_id}) : null));
  }

  // Approve / reject -> note -> "Yes" confirms; the note shown while confirming is the note sent.
  function decisionPanel(w) {
    const slot = h("div", {class: "decision"});
    const amount = cents(w.amount_cents);
    const start = (decision) => {
      const note = textarea({name: "note", rows: 2, maxlength: String(NOTE_MAX)});
      const alert = h("div", {hidden: true});
      const approve = decision === "approve";
      const label = approve ? "Note for the member (optional)" : "Reason for rejecting (required)";
      const form = h("form", {novalidate: true, class: "decision-form"},
        field(label, note, {path: "note", hint: approve ? null : "Shown to the member, e.g. “The account is not in your name”."}),
        alert,
        h("div", {class: "actions"},
          h("button", {type: "submit", class: approve ? "" : "danger-solid", text: approve ? "Continue" : "Continue to reject"}),
          h("button", {type: "button", class: "secondary", text: "Back", onclick: () => { slot.replaceChildren(...buttons()); slot.querySelector("button")?.focus(); }})));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        clearAlert(alert);
        const text = note.value.trim();
        if (!approve && !text) return void showFieldErrors(form, {note: "Give the member a reason for rejecting"});
        if (text.length > NOTE_MAX) return void showFieldErrors(form, {note: `Keep the note to ${NOTE_MAX} characters`});
        note.readOnly = true;
        form.querySelector(".actions").hidden = true;
        const qid = `q-${w.withdrawal_id}`;
        const question = h("p", {id: qid, tabindex: "-1"}, h("strong", {text: approve
          ? `Approve and pay ${amount} to ${w.payout_account?.account_no || "the account on file"}?`
          : `Reject the withdrawal of ${amount}?`}),
        approve ? " The payout is sent now and cannot be recalled." : " The money goes back to the member's available balance.");
        const yes = h("button", {type: "button", class: approve ? "" : "danger-solid", text: approve ? "Yes, approve and pay" : "Yes, reject"});
        const no = h("button", {type: "button", class: "secondary", text: "No, go back", onclick: () => {
          confirm.remove();
          note.readOnly = false;
          form.querySelector(".actions").hidden = false;
          note.focus();
        }});
        const confirm = h("div", {class: `confirm ${approve ? "approve" : ""}`.trim(), role: "group", "aria-labelledby": qid}, question, h("div", {class: "actions"}, yes, no));
        form.append(confirm);
        question.focus();
        yes.addEventListener("click", async () => {
          setBusy(yes, true, approve ? "Paying…" : "Rejecting…");
          no.disabled = true;
          try {
            const body = {decision};
            if (text) body.note = text;
            const done = await call(`/admin/withdrawals/${encodeURIComponent(w.withdrawal_id)}/decision`, {method: "POST", body});
            const result = h("div", {class: "alert ok", role: "status", tabindex: "-1"},
              h("p", {}, h("strong", {text: done.status === "paid" ? `Withdrawal of ${amount} approved and paid.`
                : done.status === "rejected" ? `Withdrawal of ${amount} rejected; the money is back in the member's available balance.`
                  : `Withdrawal of ${amount} is ${STATUS[done.status] || done.status}.`})),
              done.payout && done.payout.payout_id ? h("p", {class: "small mono", text: `Payout reference ${done.payout.payout_id}`}) : null);
            shown = shown.filter((x) => x.withdrawal_id !== w.withdrawal_id);
            if (done.status === status) shown.push(done);
            paint();
            outcome.replaceChildren(result);
            result.focus();
          } catch (err) {
            if (err.status === 401 || err.status === 403) return;
            setBusy(yes, false);
            no.disabled = false;
            confirm.remove();
            note.readOnly = false;
            form.querySelector(".actions").hidden = false;
            if (err.status === 422) showFieldErrors(form, err.fields);
            showAlert(alert, plainError(err, w));
            alert.querySelector("p")?.setAttribute("tabindex", "-1");
            alert.querySelector("p")?.focus();
          }
        });
      });
      slot.replaceChildren(form);
      note.focus();
    };
    const buttons = () => w.status === "approved"
      ? [h("button", {type: "button", class: "small", text: "Retry payout", "aria-label": `Retry the payout of ${amount}`, onclick: () => start("approve")})]
      : [h("button", {type: "button", class: "small", text: "Approve", "aria-label": `Approve ${amount} for member ${shortId(w.member_id)}`, onclick: () => start("approve")}),
        h("button", {type: "button", class: "small secondary danger", text: "Reject", "aria-label": `Reject ${amount} for member ${shortId(w.member_id)}`, onclick: () => start("reject")})];
    slot.replaceChildren(...buttons());
    return slot;
  }

  await load();
}
