// The printers page's settings: where each printer is (network address and port, USB, serial
// or a device file), what it prints, its station, paper, label language and backup printer;
// saved with one PATCH (a new printer with a POST); refusals next to their field in the
// page's language. Only the fields of the chosen connection are shown and sent.
import { api, noAnswer, say, showErrors, showRefusal, t, clearErrors } from "./forms.js";

const CONNECTION_FIELDS = { network: ["host", "port"], usb: [], serial: ["device_path"], file: ["device_path"] };

function showConnection(form) {
  const connection = form.elements.connection.value;
  form.querySelectorAll("[data-for-connection]").forEach((label) => {
    label.hidden = !label.dataset.forConnection.split(" ").includes(connection);
  });
}

function optionalId(value) {
  return value === "" ? null : Number(value);
}

function read(form) {
  const f = form.elements;
  const connection = f.connection.value;
  const body = {
    name: f.name.value.trim(),
    connection: connection,
    role: f.role.value,
    station_id: optionalId(f.station_id.value),
    backup_printer_id: optionalId(f.backup_printer_id.value),
    paper_width_mm: Number(f.paper_width_mm.value),
    language: f.language.value,
  };
  const errors = {};
  if (!body.name) errors.name = t("fe_required");
  CONNECTION_FIELDS[connection].forEach((name) => {
    const value = f[name].value.trim();
    if (name === "port") {
      if (value === "") body.port = 9100;
      else if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) errors.port = t("port_bad");
      else body.port = Number(value);
    } else if (!value) errors[name] = t("fe_required");
    else body[name] = value;
  });
  return { body, errors };
}

function save(form) {
  const { body, errors } = read(form);
  if (Object.keys(errors).length) return showErrors(form, errors);
  const id = form.dataset.printer;
  const call = id ? api("PATCH", "/printers/" + id, body) : api("POST", "/printers", body);
  call.then((res) => {
    if (!res.ok) return showRefusal(form, res);
    clearErrors(form);
    if (!id) {
      say(t("printer_added", { name: res.data.name }));
      window.location.reload(); // the health table and the paper view are drawn by the server
      return;
    }
    const details = form.closest("details");
    details.dataset.name = res.data.name;
    details.querySelector("summary bdi").textContent = res.data.name;
    say(t("printer_saved", { name: res.data.name }));
  }).catch(noAnswer);
}

document.querySelectorAll("form.bo-printer").forEach((form) => {
  showConnection(form);
  form.elements.connection.addEventListener("change", () => showConnection(form));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save(form);
  });
});
