// The transfer and close dialogs: native <dialog> elements (focus kept inside, Escape
// closes, focus returns to the button that opened them).

import { ApiError, get, post } from "./api.js";
import { $, el } from "./util.js";

function wire(dialog, onSubmit) {
  const form = dialog.querySelector("form");
  const error = dialog.querySelector(".error");
  const opener = document.activeElement;
  const controller = new AbortController();
  const finish = () => {
    controller.abort();
    if (dialog.open) dialog.close();
    if (opener && opener.isConnected && !opener.hidden) opener.focus();
    else if ($("#conv-title")) $("#conv-title").focus();
  };
  error.textContent = "";
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    try {
      await onSubmit();
    } catch (failure) {
      error.textContent = failure instanceof ApiError ? failure.message : "Operazione non riuscita.";
      return;
    }
    finish();
  }, { signal: controller.signal });
  dialog.querySelector("[data-cancel]").addEventListener("click", finish, { signal: controller.signal });
  dialog.addEventListener("close", finish, { signal: controller.signal });
  dialog.showModal();
}

export async function openTransferDialog(id, me, done) {
  const dialog = $("#transfer-dialog");
  const operatorSelect = $("#transfer-operator");
  const officeSelect = $("#transfer-office");
  const [operators, offices] = await Promise.all([
    get("/operators").catch(() => []),
    get("/offices").catch(() => []),
  ]);
  operatorSelect.replaceChildren(...operators
    .filter((o) => o.id !== me.id)
    .map((o) => el("option", { value: String(o.id) }, `${o.display_name}${o.online ? " (in linea)" : " (non in linea)"}`)));
  officeSelect.replaceChildren(...offices.map((o) => el("option", { value: o.code }, o.name)));
  const radios = dialog.querySelectorAll("input[name=target]");
  const sync = () => {
    const toOffice = dialog.querySelector("input[name=target]:checked").value === "office";
    $("#transfer-operator-field").hidden = toOffice;
    $("#transfer-office-field").hidden = !toOffice;
  };
  radios.forEach((radio) => { radio.onchange = sync; });
  radios[operatorSelect.options.length ? 0 : 1].checked = true;
  sync();
  wire(dialog, async () => {
    const toOffice = dialog.querySelector("input[name=target]:checked").value === "office";
    const select = toOffice ? officeSelect : operatorSelect;
    if (!select.value) throw new ApiError(0, toOffice ? "Scegli un ufficio." : "Scegli un collega.");
    await post(`/handoffs/${id}/transfer`,
      toOffice ? { office_code: select.value } : { operator_id: Number(select.value) });
    await done();
  });
}

export function openCloseDialog(id, done) {
  const dialog = $("#close-dialog");
  wire(dialog, async () => {
    await post(`/handoffs/${id}/close`, { outcome: $("#close-outcome").value });
    await done();
  });
}
