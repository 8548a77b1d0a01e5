/* Intercultural Cities theme: remembered language, text size, print.
   No framework, no external resources. Works without it: the tools stay hidden. */
(function () {
  "use strict";

  var LANG_KEY = "icc-lang";
  var SIZE_KEY = "icc-text-size";
  var SIZES = [87.5, 100, 112.5, 125, 150];
  var DEFAULT_SIZE = 1;
  var root = document.documentElement;

  function load(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function store(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      /* Storage disabled: the choice is simply not remembered. */
    }
  }

  /* The language chooser at "/": send a returning reader to the home page of the language
     chosen last time. The homes are the page's own <link rel="alternate" hreflang> (already
     parsed: this script is loaded in <head> after them). "/?choose" shows the chooser anyway. */
  if (root.hasAttribute("data-icc-root") && !/[?&]choose\b/.test(window.location.search)) {
    var chosen = load(LANG_KEY);
    if (chosen) {
      var links = document.querySelectorAll('link[rel="alternate"][hreflang]');
      for (var i = 0; i < links.length; i++) {
        if (links[i].getAttribute("hreflang") === chosen) {
          /* Same site, wherever it is served from: keep only the path of the address. */
          var target = links[i].href;
          if (/^https?:$/.test(window.location.protocol)) {
            var anchor = document.createElement("a");
            anchor.href = target;
            target = anchor.pathname + anchor.search + anchor.hash;
          }
          window.location.replace(target);
          return;
        }
      }
    }
  }

  /* Text size, applied before the page is painted. */
  function sizeIndex() {
    var stored = parseInt(load(SIZE_KEY), 10);
    return stored >= 0 && stored < SIZES.length ? stored : DEFAULT_SIZE;
  }

  function applySize(index) {
    if (index === DEFAULT_SIZE) {
      root.removeAttribute("data-icc-text-size");
    } else {
      root.setAttribute("data-icc-text-size", String(index));
    }
  }

  applySize(sizeIndex());

  function updateSizeButtons(index, announce) {
    var buttons = document.querySelectorAll("[data-icc-size]");
    for (var i = 0; i < buttons.length; i++) {
      var action = buttons[i].getAttribute("data-icc-size");
      var limit =
        (action === "smaller" && index === 0) ||
        (action === "larger" && index === SIZES.length - 1) ||
        (action === "reset" && index === DEFAULT_SIZE);
      buttons[i].setAttribute("aria-disabled", limit ? "true" : "false");
    }
    var status = document.querySelector("[data-icc-size-status]");
    if (status && announce) {
      var percent = SIZES[index] / 100;
      var text;
      try {
        text = new Intl.NumberFormat(root.lang, { style: "percent", maximumFractionDigits: 1 }).format(percent);
      } catch (e) {
        text = SIZES[index] + " %";
      }
      status.textContent = status.getAttribute("data-icc-size-status").replace("{size}", text);
    }
  }

  function changeSize(action) {
    var index = sizeIndex();
    if (action === "smaller") {
      index = Math.max(0, index - 1);
    } else if (action === "larger") {
      index = Math.min(SIZES.length - 1, index + 1);
    } else {
      index = DEFAULT_SIZE;
    }
    store(SIZE_KEY, String(index));
    applySize(index);
    updateSizeButtons(index, true);
  }

  function ready() {
    var tools = document.querySelectorAll("[data-icc-tools]");
    for (var t = 0; t < tools.length; t++) {
      tools[t].hidden = false;
    }
    updateSizeButtons(sizeIndex(), false);

    document.addEventListener("click", function (event) {
      var el = event.target instanceof Element ? event.target : null;
      if (!el) {
        return;
      }
      var sizeButton = el.closest("[data-icc-size]");
      if (sizeButton) {
        if (sizeButton.getAttribute("aria-disabled") !== "true") {
          changeSize(sizeButton.getAttribute("data-icc-size"));
        }
        return;
      }
      if (el.closest("[data-icc-print]")) {
        window.print();
        return;
      }
      /* A language picked on any page (chooser, switcher, other versions) is remembered. */
      var languageLink = el.closest("a[data-icc-lang]");
      if (languageLink) {
        store(LANG_KEY, languageLink.getAttribute("data-icc-lang"));
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
