/* Call announcements on the hall display: a chime, then Mandarin speech.
 *
 * Announcements go through one queue: a new call waits for the one being spoken.
 * Every announcement is recorded, when it is queued, in `window.hallqueueSpoken`
 * ({text, speech, lang, number, counter, kind, seq, queued_at}) and in the hidden
 * list #spoken, so tests and installers can see what the hall heard.
 */
(function () {
  "use strict";
  const HQ = (window.HQ = window.HQ || {});
  window.hallqueueSpoken = window.hallqueueSpoken || [];

  const DIGITS_ZH = "零一二三四五六七八九";
  const DEFAULT_ZH = "请{number}号到{window}号窗口办理";
  const DEFAULT_EN = "Number {number}, please go to window {window}";

  /* "A001" → "A 零 零 一": letters and digits one by one, as halls read numbers. */
  HQ.spellNumber = function (number, lang) {
    return Array.from(String(number))
      .map((ch) => (lang === "zh" && ch >= "0" && ch <= "9" ? DIGITS_ZH[Number(ch)] : ch))
      .join(" ");
  };

  function fill(template, values) {
    let s = template;
    for (const [k, v] of Object.entries(values)) s = s.split("{" + k + "}").join(String(v));
    return s;
  }

  class Announcer {
    constructor(settings) {
      this.queue = [];
      this.running = false;
      this.audio = null;
      this.configure(settings || {});
      this.list = document.getElementById("spoken");
    }

    configure(settings) {
      this.template = settings.announce_template || DEFAULT_ZH;
      this.templateEn = settings.announce_template_en || DEFAULT_EN;
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
        kind: call.kind,
        seq: call.seq,
        queued_at: new Date().toISOString(),
      };
      window.hallqueueSpoken.push(record);
      if (window.hallqueueSpoken.length > 1000) window.hallqueueSpoken.splice(0, 500); // a whole day runs here
      if (this.list) {
        this.list.append(HQ.el("li", { "data-seq": call.seq, "data-kind": call.kind, text: record.text }));
        while (this.list.children.length > 50) this.list.firstChild.remove();
      }
      this.queue.push(words);
      this.run();
      return record;
    }

    async run() {
      if (this.running) return;
      this.running = true;
      try {
        while (this.queue.length) {
          const words = this.queue.shift();
          for (let i = 0; i < this.times; i++) {
            await this.chime();
            for (const u of words.utterances) await this.speak(u.text, u.lang);
          }
        }
      } finally {
        this.running = false;
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

    /* A two-tone "ding-dong", generated: no audio files. */
    chime() {
      const ctx = this.context();
      if (!ctx || ctx.state !== "running") return Promise.resolve();
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
      return new Promise((resolve) => setTimeout(resolve, 1000));
    }

    speak(text, lang) {
      const synth = window.speechSynthesis;
      if (!synth || typeof SpeechSynthesisUtterance === "undefined") return Promise.resolve();
      return new Promise((resolve) => {
        const u = new SpeechSynthesisUtterance(text);
        u.lang = lang;
        u.rate = lang === "zh-CN" ? 0.85 : 0.95;
        const voice = synth.getVoices().find((v) => v.lang && v.lang.replace("_", "-").startsWith(lang.slice(0, 2)));
        if (voice) u.voice = voice;
        let done = false;
        const finish = () => {
          if (!done) {
            done = true;
            resolve();
          }
        };
        u.onend = finish;
        u.onerror = finish;
        // Some engines never report the end: never let the queue stall.
        setTimeout(finish, 1500 + text.length * 300);
        synth.speak(u);
      });
    }
  }

  HQ.Announcer = Announcer;
})();
