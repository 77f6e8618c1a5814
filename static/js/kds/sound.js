// The kitchen screen's chime: a browser plays sound only after a tap or a key unlocked it, so
// the screen says so (the sound hint) until then.
import { $, now, root, state } from "./context.js";

/** Unlock (or resume) the audio context; called on every tap and key. */
export function unlockAudio() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  try {
    if (!state.audio) state.audio = new Ctx();
    const p = state.audio.resume();
    if (p && p.then) p.then(updateSoundHint, () => {});
  } catch (e) { /* no audio on this device */ }
  updateSoundHint();
}

export function updateSoundHint() {
  const ready = state.audio && state.audio.state === "running";
  $("[data-testid=sound-hint]").hidden = !!ready;
  root.classList.toggle("has-sound", !!ready);
}

/** Two notes, at most one chime in 0.8 s (a burst of tickets chimes once). */
export function chime() {
  const ctx = state.audio;
  if (!ctx || ctx.state !== "running" || now() - state.lastChime < 800) return;
  state.lastChime = now();
  root.dataset.chimes = String(Number(root.dataset.chimes || 0) + 1);
  play(ctx, [[880, 0], [1318.5, 0.16]]);
}

/**
 * A stock alert (an ingredient low or out): three falling notes, unlike a ticket's rising two,
 * so the kitchen hears which it is; at most one in 2 s (one sale may cross several).
 */
export function alarm() {
  const ctx = state.audio;
  if (!ctx || ctx.state !== "running" || now() - state.lastAlarm < 2000) return;
  state.lastAlarm = now();
  root.dataset.alarms = String(Number(root.dataset.alarms || 0) + 1);
  play(ctx, [[1318.5, 0], [987.8, 0.18], [740, 0.36]]);
}

function play(ctx, notes) {
  const start = ctx.currentTime + 0.01;
  notes.forEach((note) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = note[0];
    const at = start + note[1];
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.45);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + 0.5);
  });
}
