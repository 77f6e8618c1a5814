// The handheld's chime for a ready order: a browser plays sound only once a tap unlocked it.
let audio = null;

/** Unlock the audio context at the first tap (and resume it after the page slept). */
export function unlockOnTap() {
  document.addEventListener("pointerdown", () => {
    try {
      if (!audio) audio = new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
    } catch (err) {
      audio = null;
    }
  }, true);
}

/** Three rising notes. */
export function chime() {
  if (!audio) return;
  const now = audio.currentTime;
  [988, 1319, 1568].forEach((freq, i) => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    const at = now + i * 0.16;
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.35);
    osc.connect(gain);
    gain.connect(audio.destination);
    osc.start(at);
    osc.stop(at + 0.4);
  });
}
