// Scanning a barcode with the phone's rear camera, where the browser has BarcodeDetector
// (Chrome on Android) and may open the camera (a secure context). The page hides the Scan
// button elsewhere; a keyboard-wedge scanner types into the search box instead (count.js).

const FORMATS = ["ean_13", "ean_8", "upc_a", "upc_e", "code_128", "code_39", "itf", "qr_code"];
const EVERY_MS = 200;

/** Whether this browser can scan with its camera. */
export function canScan() {
  return "BarcodeDetector" in globalThis && !!(navigator.mediaDevices &&
    navigator.mediaDevices.getUserMedia);
}

function detector() {
  const Detector = globalThis.BarcodeDetector;
  const make = (formats) => (formats.length ? new Detector({ formats: formats }) : new Detector());
  if (typeof Detector.getSupportedFormats !== "function") return Promise.resolve(make([]));
  return Detector.getSupportedFormats().then(
    (supported) => make(FORMATS.filter((f) => supported.indexOf(f) >= 0)),
    () => make([]),
  );
}

/**
 * Show the rear camera in `video` and look for a barcode: resolves its text, or null once
 * `stop()` of the returned handle is called (Cancel); rejects when the camera cannot open.
 * Returns {done: Promise, stop()}.
 */
export function startScan(video) {
  let stopped = false;
  let stream = null;
  let finish = null;
  const done = new Promise((resolve, reject) => {
    finish = (value, error) => {
      if (stopped) return;
      stopped = true;
      if (stream) stream.getTracks().forEach((track) => track.stop());
      video.srcObject = null;
      if (error) reject(error);
      else resolve(value);
    };
  });
  navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
    .then((media) => {
      stream = media;
      if (stopped) return finish(null);
      video.srcObject = media;
      return video.play().catch(() => null).then(detector).then((found) => look(found, video, () => stopped, finish));
    })
    .catch((err) => finish(null, err));
  return { done: done, stop: () => finish(null) };
}

function look(found, video, isStopped, finish) {
  if (isStopped()) return;
  found.detect(video).then((codes) => {
    const hit = (codes || []).find((c) => c && c.rawValue);
    if (hit) finish(String(hit.rawValue));
    else setTimeout(() => look(found, video, isStopped, finish), EVERY_MS);
  }, () => setTimeout(() => look(found, video, isStopped, finish), EVERY_MS));
}
