/* Palava — the duty officer's board: an audible cue for new notifications.
 *
 * htmx swaps the board's live part every 10 s (hx-trigger="every 10s"). When the new part
 * carries notifications the page had not shown (data-new-count > 0), this plays a short
 * two-tone beep generated with WebAudio (no sound file) and flashes the title, unless the
 * member muted the board (remembered in localStorage). Browsers only allow sound after the
 * page was touched once: the first click or key press unlocks it. Without this file the board
 * is a plain page; the highlight of new notices is CSS only.
 */
(function () {
  "use strict";

  var KEY = "palava.board.muted";
  var audio = null;
  var baseTitle = document.title;

  function muted() {
    try {
      return window.localStorage.getItem(KEY) === "1";
    } catch (e) {
      return false;
    }
  }

  function setMuted(value) {
    try {
      window.localStorage.setItem(KEY, value ? "1" : "0");
    } catch (e) {
      /* private mode: the choice lasts for this page only */
    }
  }

  function context() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) {
      return null;
    }
    if (!audio) {
      audio = new Ctx();
    }
    if (audio.state === "suspended") {
      audio.resume();
    }
    return audio;
  }

  function tone(ctx, frequency, start, length) {
    var osc = ctx.createOscillator();
    var gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.3, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(start);
    osc.stop(start + length + 0.02);
  }

  function beep() {
    var ctx = context();
    if (!ctx) {
      return;
    }
    var now = ctx.currentTime;
    tone(ctx, 880, now, 0.18);
    tone(ctx, 1320, now + 0.22, 0.25);
  }

  function renderToggle(button) {
    var off = muted();
    button.setAttribute("aria-pressed", off ? "true" : "false");
    button.textContent = off ? button.dataset.labelOff : button.dataset.labelOn;
  }

  function cue(live) {
    var count = parseInt(live.getAttribute("data-new-count") || "0", 10);
    if (!count) {
      document.title = baseTitle;
      return;
    }
    document.title = "(" + count + ") " + baseTitle;
    document.body.setAttribute("data-board-cue", String(Date.now()));
    if (!muted()) {
      beep();
    }
  }

  function init() {
    var button = document.getElementById("board-sound");
    if (button) {
      button.hidden = false;
      renderToggle(button);
      button.addEventListener("click", function () {
        setMuted(!muted());
        renderToggle(button);
        if (!muted()) {
          beep(); /* let the member hear what the cue sounds like */
        }
      });
    }
    /* Unlock audio on the first interaction (autoplay rules). */
    var unlock = function () {
      context();
      document.removeEventListener("click", unlock);
      document.removeEventListener("keydown", unlock);
    };
    document.addEventListener("click", unlock);
    document.addEventListener("keydown", unlock);
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var target = event.detail && event.detail.elt;
      var live = document.getElementById("board-live");
      if (live && (!target || target.id === "board-live" || live.contains(target))) {
        cue(live);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
