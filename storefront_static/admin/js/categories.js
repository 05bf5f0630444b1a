// Categories (the mall home's subject types): create and edit name, icon and order.
import {append, clearAlert, clearFieldErrors, empty, field, h, input, setBusy, setTitle, showAlert, showFieldErrors} from "./dom.js";
import {call, referenceData} from "./shared.js";

const SLUG = /^[a-z0-9]+([_-][a-z0-9]+)*$/;

export async function render(view) {
  setTitle("Categories");
  const alert = h("div", {hidden: true});
  const listSlot = h("div", {});
  const editorSlot = h("div", {});
  let categories = [];

  const load = async (fresh) => {
    categories = (await referenceData({fresh})).categories;
    listSlot.replaceChildren(categories.length ? h("div", {class: "table-wrap"}, h("table", {class: "list"},
      h("caption", {class: "sr-only", text: "Categories in display order"}),
      h("thead", {}, h("tr", {}, ["Order", "Icon", "Name", "Id", "Actions"].map((t, i) => h("th", {scope: "col", class: i === 0 ? "num" : null, text: t})))),
      h("tbody", {}, categories.map((c) => h("tr", {},
        h("td", {class: "num", text: c.sort ?? ""}),
        h("td", {class: "icon", text: c.icon || ""}),
        h("td", {text: c.name}),
        h("td", {class: "mono", text: c.category_id}),
        h("td", {}, h("button", {type: "button", class: "secondary small", text: "Edit", "aria-label": `Edit ${c.name}`, onclick: () => edit(c)}))))))) 
      : empty("No categories yet."));
  };

  function edit(category) {
    const c = category || {sort: (categories.at(-1)?.sort ?? 0) + 1};
    const id = input({value: c.category_id || "", readOnly: !!category, spellcheck: false});
    const name = input({value: c.name || "", maxlength: 40});
    const icon = input({value: c.icon || "", maxlength: 16, class: "short"});
    const sort = input({type: "number", step: 1, min: 0, max: 999, value: c.sort ?? "", inputmode: "numeric", class: "short"});
    const formAlert = h("div", {hidden: true});
    const save = h("button", {type: "submit", text: category ? "Save category" : "Create category"});
    const form = h("form", {class: "card", novalidate: true},
      h("h2", {text: category ? `Edit category: ${category.name}` : "New category"}),
      formAlert,
      h("div", {class: "grid cols-4"},
        field("Category id", id, {path: "category_id", hint: category ? "Cannot be changed." : "Lower-case letters, digits, _ and -."}),
        field("Name", name, {path: "name"}),
        field("Icon", icon, {path: "icon", hint: "One emoji."}),
        field("Order", sort, {path: "sort", hint: "Smaller shows first."})),
      h("div", {class: "actions"}, save,
        h("button", {type: "button", class: "secondary", text: "Cancel", onclick: () => editorSlot.replaceChildren(newButton())})));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearFieldErrors(form);
      clearAlert(formAlert);
      const body = {name: name.value.trim(), icon: icon.value.trim(), sort: sort.value === "" ? null : Number(sort.value)};
      const problems = {};
      if (!category && !SLUG.test(id.value.trim())) problems.category_id = "Use lower-case letters, digits and hyphens, e.g. pets";
      if (!body.name) problems.name = "Enter a name";
      if (Object.keys(problems).length) return void showFieldErrors(form, problems);
      setBusy(save, true, "Saving…");
      try {
        if (category) await call(`/admin/categories/${encodeURIComponent(category.category_id)}`, {method: "PUT", body});
        else await call("/admin/categories", {method: "POST", body: {category_id: id.value.trim(), ...body}});
        showAlert(alert, category ? `Saved the category ${body.name}.` : `Created the category ${body.name}.`, "ok");
        editorSlot.replaceChildren(newButton());
        await load(true);
      } catch (err) {
        setBusy(save, false);
        showAlert(formAlert, err.message);
        const fields = err.status === 409 && !category ? {category_id: err.message} : err.fields;
        const rest = showFieldErrors(form, fields);
        if (rest.length) formAlert.firstElementChild.append(h("ul", {}, rest.map(([k, t]) => h("li", {text: `${k}: ${t}`}))));
      }
    });
    editorSlot.replaceChildren(form);
    form.scrollIntoView({block: "start"});
    (category ? name : id).focus({preventScroll: true});
  }

  const newButton = () => h("div", {class: "actions"}, h("button", {type: "button", text: "New category", onclick: () => edit(null)}));

  append(view, h("h1", {text: "Categories"}),
    h("p", {class: "muted", text: "The subject types customers browse by on the mall home, in this order."}),
    alert, listSlot, editorSlot);
  editorSlot.append(newButton());
  await load(false);
}
