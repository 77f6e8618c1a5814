// Dish photos on the back office's menu page: a dish's "Photo" opens the phone's camera or
// gallery (or a file on a laptop); the picture is made smaller here first (at most 1600 px,
// JPEG), so that it fits the API's body limit and a phone on the restaurant's Wi-Fi sends
// a few hundred kilobytes, not the camera's 5 MB; the server turns it upright, takes its
// metadata off and keeps an 800 px WebP and a thumbnail. The new thumbnail shows at once,
// without a reload; a refusal shows next to the photo in the page's language.
import { api, clearErrors, noAnswer, say, showErrors, t } from "./forms.js";
import { errorText } from "../lib/i18n.js";

const page = document.getElementById("menu-page");
const MAX_BODY = Number(page.dataset.maxBody) || 1024 * 1024;
// Tried in turn until the JSON body fits: the first is right for nearly every photo.
const SIZES = [[1600, 0.85], [1280, 0.8], [1024, 0.75], [800, 0.7]];
const UPLOAD_MS = 60000; // a 1 MB body over a weak Wi-Fi

function nameOf(row) {
  return row.querySelector('[name="name"]').value.trim() || row.dataset.name;
}

/** The picture of `file`, upright (the browser reads its EXIF orientation), to draw. */
function picture(file) {
  if (window.createImageBitmap) {
    return createImageBitmap(file, { imageOrientation: "from-image" });
  }
  return new Promise((resolve, reject) => {
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => { URL.revokeObjectURL(url); resolve(img); };
    img.onerror = () => { URL.revokeObjectURL(url); reject(new Error("unreadable")); };
    img.src = url;
  });
}

/** Base64 of the picture as a JPEG of at most `side` px, on white (a PNG's transparency). */
function jpeg(pic, side, quality) {
  const width = pic.width || pic.naturalWidth;
  const height = pic.height || pic.naturalHeight;
  const scale = Math.min(1, side / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(pic, 0, 0, canvas.width, canvas.height);
  const url = canvas.toDataURL("image/jpeg", quality);
  return url.slice(url.indexOf(",") + 1);
}

/** The smallest-needed JPEG that fits the body limit, or null when none does. */
function fitting(pic) {
  for (const [side, quality] of SIZES) {
    const data = jpeg(pic, side, quality);
    if (data.length + 64 <= MAX_BODY) return data;
  }
  return null;
}

function show(row, item) {
  const img = row.querySelector("[data-testid=photo-thumb]");
  if (item.thumb_url) img.src = item.thumb_url;
  else img.removeAttribute("src");
  img.hidden = !item.thumb_url;
  row.querySelector("[data-testid=photo-none]").hidden = !!item.thumb_url;
  row.querySelector("[data-action=photo-remove]").hidden = !item.thumb_url;
}

/** A message next to the dish's photo (its other fields keep theirs). */
function tell(row, text) {
  showErrors(row.querySelector(".bo-photo"), { photo: text });
}

function refused(row, res) {
  tell(row, errorText(t, res.error));
  say("", false);
}

function busy(row, on) {
  row.querySelector(".bo-photo").setAttribute("aria-busy", on ? "true" : "false");
}

function upload(row, file) {
  const cell = row.querySelector(".bo-photo");
  clearErrors(cell);
  picture(file).then((pic) => {
    const data = fitting(pic);
    if (pic.close) pic.close();
    if (data === null) return tell(row, t("photo_too_big"));
    busy(row, true);
    say(t("photo_sending", { name: nameOf(row) }));
    return api("PUT", "/items/" + row.dataset.item + "/photo", { image: data }, { timeoutMs: UPLOAD_MS })
      .then((res) => {
        if (!res.ok) return refused(row, res);
        show(row, res.data);
        say(t("photo_saved", { name: res.data.name }));
      });
  }, () => {
    tell(row, t("photo_unreadable"));
  }).catch(noAnswer).finally(() => busy(row, false));
}

function remove(row) {
  clearErrors(row.querySelector(".bo-photo"));
  api("DELETE", "/items/" + row.dataset.item + "/photo").then((res) => {
    if (!res.ok) return refused(row, res);
    show(row, res.data);
    say(t("photo_removed", { name: res.data.name }));
  }).catch(noAnswer);
}

page.addEventListener("change", (event) => {
  const input = event.target.closest("[data-photo-file]");
  const row = input && input.closest("tr[data-item]");
  if (!row || !input.files.length) return;
  const file = input.files[0];
  input.value = ""; // the same file chosen again uploads again
  upload(row, file);
});
page.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action=photo-remove]");
  const row = button && button.closest("tr[data-item]");
  if (row) remove(row);
});
