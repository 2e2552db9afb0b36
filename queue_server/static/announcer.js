/* Call announcements on the hall display: a chime, then Mandarin speech.
 *
 * Announcements go through one queue: a new call waits until the one being spoken has
 * ended, with all its repeats (`announce_times`); nothing ever cancels a call being
 * spoken. Every announcement is recorded, when it is queued, in
 * `window.hallqueueSpoken` ({text, speech, lang, number, counter, ticket, kind, seq,
 * queued_at, queued_ms, started_ms, ended_ms, parts}) and in the hidden list #spoken,
 * so tests and installers can see what the hall heard and when: `started_ms` and
 * `ended_ms` (Date.now()) bound the whole announcement, `parts` has one entry per
 * chime and utterance ({what, text, lang, start_ms, end_ms, voiced}).
 *
 * Each utterance takes at least the time it would take to say (`HQ.speechMs`), also
 * when the browser has no voice or its speech engine fails at once (headless Chromium
 * answers "synthesis-failed"): the queue and the display's highlight keep the pace of
 * a spoken hall, whatever the machine. A real engine's end is waited for.
 */
(function () {
  "use strict";
  const HQ = (window.HQ = window.HQ || {});
  window.hallqueueSpoken = window.hallqueueSpoken || [];

  const DIGITS_ZH = "零一二三四五六七八九";

  /* "A001" → "A 零 零 一": letters and digits one by one, as halls read numbers. */
  HQ.spellNumber = function (number, lang) {
    return Array.from(String(number))
      .map((ch) => (lang === "zh" && ch >= "0" && ch <= "9" ? DIGITS_ZH[Number(ch)] : ch))
      .join(" ");
  };

  const CHIME_MS = 1000;
  const START_GRACE_MS = 1500; // an engine that has not started by then never will
  const PAUSE_MS = 300; // between the Mandarin and the English sentence

  /* How long a sentence takes to say: Mandarin at rate 0.85 is about 3.5 syllables a
   * second (one per character, letter or digit); English about 2.6 words a second. */
  HQ.speechMs = function (text, lang) {
    const s = String(text);
    if (String(lang).startsWith("zh")) return 280 * s.replace(/[\s，,。.、]/g, "").length;
    return 380 * s.split(/\s+/).filter(Boolean).length;
  };

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

  function fill(template, values) {
    let s = template;
    for (const [k, v] of Object.entries(values)) s = s.split("{" + k + "}").join(String(v));
    return s;
  }

  class Announcer {
    /* hooks: onStart(record) when an announcement begins, onEnd(record) when it has
     * ended with all its repeats. */
    constructor(settings, hooks) {
      this.queue = [];
      this.running = false;
      this.current = null; // the record being spoken
      this.audio = null;
      this.spoke = null; // whether the last sentence was voiced (null: none tried yet)
      this.hooks = hooks || {};
      this.configure(settings || {});
      this.list = document.getElementById("spoken");
    }

    configure(settings) {
      // The site's sentences, or the catalogue's default: the centre's board gives both.
      this.template = settings.announce_template;
      this.templateEn = settings.announce_template_en;
      this.english = !!settings.announce_english || HQ.lang === "en";
      this.times = Math.max(1, Math.min(3, Number(settings.announce_times) || 1));
    }

    /* The words for one call: what the screen shows and what the voices say. */
    words(call) {
      const values = { window: call.counter, window_name: call.counterName || "" };
      const utterances = [];
      const zhSpeech = fill(this.template, { ...values, number: " " + HQ.spellNumber(call.number, "zh") + " " });
      utterances.push({ text: zhSpeech.replace(/\s+/g, " ").trim(), lang: "zh-CN" });
      if (this.english) {
        utterances.push({ text: fill(this.templateEn, { ...values, number: HQ.spellNumber(call.number, "en") }), lang: "en-US" });
      }
      const shown = HQ.lang === "en" ? this.templateEn : this.template;
      return { text: fill(shown, { ...values, number: call.number }), utterances };
    }

    announce(call) {
      const words = this.words(call);
      const record = {
        text: words.text,
        speech: words.utterances.map((u) => u.text).join(" / "),
        lang: words.utterances.map((u) => u.lang).join(","),
        number: call.number,
        counter: call.counter,
        ticket: call.ticket,
        kind: call.kind,
        seq: call.seq,
        times: this.times,
        queued_at: new Date().toISOString(),
        queued_ms: Date.now(),
        started_ms: null,
        ended_ms: null,
        parts: [],
      };
      window.hallqueueSpoken.push(record);
      if (window.hallqueueSpoken.length > 1000) window.hallqueueSpoken.splice(0, 500); // a whole day runs here
      if (this.list) {
        this.list.append(HQ.el("li", { "data-seq": call.seq, "data-kind": call.kind, text: record.text }));
        while (this.list.children.length > 50) this.list.firstChild.remove();
      }
      this.queue.push({ words, record });
      this.run();
      return record;
    }

    /* Pending announcements, the one being spoken included. */
    pending() {
      return this.queue.length + (this.current ? 1 : 0);
    }

    async run() {
      if (this.running) return;
      this.running = true;
      try {
        while (this.queue.length) {
          const { words, record } = this.queue.shift();
          this.current = record;
          record.started_ms = Date.now();
          this.hook("onStart", record);
          try {
            for (let i = 0; i < record.times; i++) {
              await this.part(record, "chime", "", "", () => this.chime());
              for (const [n, u] of words.utterances.entries()) {
                if (n > 0) await sleep(PAUSE_MS);
                await this.part(record, "speech", u.text, u.lang, () => this.speak(u.text, u.lang));
              }
            }
          } finally {
            record.ended_ms = Date.now();
            this.current = null;
            this.hook("onEnd", record);
          }
        }
      } finally {
        this.running = false;
      }
    }

    async part(record, what, text, lang, play) {
      const entry = { what, text, lang, start_ms: Date.now(), end_ms: null, voiced: false };
      record.parts.push(entry);
      try {
        entry.voiced = !!(await play());
      } catch (e) {
        entry.voiced = false;
      }
      entry.end_ms = Date.now();
      if (what === "speech") this.spoke = entry.voiced;
    }

    /* What the hall can hear, for the display's health report: "available" (a voice to
     * speak with), "none" (no speech engine, or no voice in it: headless browsers), or
     * "failed" (voices, but the last sentence was not said). */
    voiceState() {
      const synth = window.speechSynthesis;
      if (!synth || typeof SpeechSynthesisUtterance === "undefined" || !synth.getVoices().length) return "none";
      return this.spoke === false ? "failed" : "available";
    }

    hook(name, record) {
      try {
        if (this.hooks[name]) this.hooks[name](record);
      } catch (e) {
        console.error(e); // a display fault must not stop the announcements
      }
    }

    /* Sound needs a user gesture unless the browser runs with
     * --autoplay-policy=no-user-gesture-required (how hall screens are set up). */
    context() {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return null;
      if (!this.audio) this.audio = new Ctx();
      return this.audio;
    }

    soundBlocked() {
      const ctx = this.context();
      return !!ctx && ctx.state !== "running";
    }

    unlock() {
      const ctx = this.context();
      if (ctx && ctx.state !== "running") ctx.resume();
      if (window.speechSynthesis) {
        const u = new SpeechSynthesisUtterance(" ");
        u.volume = 0;
        window.speechSynthesis.speak(u);
      }
    }

    /* A two-tone "ding-dong", generated: no audio files. It takes its second also
     * when sound is blocked, so the queue keeps the same pace. */
    chime() {
      const ctx = this.context();
      if (!ctx || ctx.state !== "running") return sleep(CHIME_MS).then(() => false);
      const start = ctx.currentTime + 0.02;
      [[880, 0], [659.25, 0.32]].forEach(([freq, offset]) => {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = "sine";
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, start + offset);
        gain.gain.exponentialRampToValueAtTime(0.35, start + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.6);
        osc.connect(gain).connect(ctx.destination);
        osc.start(start + offset);
        osc.stop(start + offset + 0.65);
      });
      return sleep(CHIME_MS).then(() => true);
    }

    /* Say one sentence; resolves true when a voice said it. Never shorter than
     * HQ.speechMs(text): a missing or failing engine gives a silent slot of that length. */
    speak(text, lang) {
      const began = Date.now();
      const estimate = HQ.speechMs(text, lang);
      const synth = window.speechSynthesis;
      if (!synth || typeof SpeechSynthesisUtterance === "undefined") return sleep(estimate).then(() => false);
      return new Promise((resolve) => {
        const u = new SpeechSynthesisUtterance(text);
        u.lang = lang;
        u.rate = lang === "zh-CN" ? 0.85 : 0.95;
        const voice = synth.getVoices().find((v) => v.lang && v.lang.replace("_", "-").startsWith(lang.slice(0, 2)));
        if (voice) u.voice = voice;
        let started = false;
        let done = false;
        const timers = [];
        const finish = (voiced) => {
          if (done) return;
          done = true;
          timers.forEach(clearTimeout);
          resolve(voiced);
        };
        const silent = () => timers.push(setTimeout(() => finish(false), began + estimate - Date.now()));
        u.onstart = () => {
          started = true;
        };
        u.onend = () => (started ? finish(true) : silent());
        u.onerror = () => (started ? finish(true) : silent());
        // An engine that never starts (no voice): give up, and cancel it so it cannot
        // start late over the next call.
        timers.push(
          setTimeout(() => {
            if (started) return;
            synth.cancel();
            finish(false);
          }, estimate + START_GRACE_MS)
        );
        // One that never reports the end must not stall the queue.
        timers.push(setTimeout(() => finish(started), 3 * estimate + 5000));
        synth.speak(u);
      });
    }
  }

  HQ.Announcer = Announcer;
})();
