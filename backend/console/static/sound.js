// A short two-tone beep generated with WebAudio (no sound file), and its mute switch.

const KEY = "sportello-console-sound";
let context = null;
let enabled = localStorage.getItem(KEY) !== "off";

export function soundEnabled() {
  return enabled;
}

export function setSound(on) {
  enabled = on;
  localStorage.setItem(KEY, on ? "on" : "off");
  if (on) unlock();
}

// Browsers start an AudioContext only after a user gesture: call this from one.
export function unlock() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  if (!context) context = new Context();
  if (context.state === "suspended") context.resume().catch(() => {});
}

export function beep() {
  if (!enabled || !context || context.state !== "running") return;
  const start = context.currentTime;
  [880, 660].forEach((frequency, i) => {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    const t = start + i * 0.18;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.15);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(t);
    oscillator.stop(t + 0.16);
  });
}
