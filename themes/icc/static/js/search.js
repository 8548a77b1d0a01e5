/* Intercultural Cities theme: site search.
   Pagefind's JS API (pagefind.js, built with the site into /pagefind/ by intercite) searches the
   index of the page's language; with "All languages" checked, the other languages' indexes are
   merged in. Results are rendered here, with the theme's markup: a list of links with excerpts,
   and the count announced in a live region. Everything comes from the site itself, so search
   works offline. Without scripts the search box stays hidden. */
(function () {
  "use strict";

  var PAGE_SIZE = 10;
  var DEBOUNCE_MS = 250;

  var box = document.querySelector("[data-icc-search]");
  if (!box) {
    return;
  }
  var config;
  try {
    config = JSON.parse(box.querySelector("[data-icc-search-config]").textContent);
  } catch (e) {
    return;
  }
  var form = box.querySelector("form");
  var input = form.querySelector('input[type="search"]');
  var all = form.querySelector("[data-icc-search-all]");
  var status = box.querySelector("[data-icc-search-status]");
  var list = box.querySelector("[data-icc-search-list]");
  var more = box.querySelector("[data-icc-search-more]");
  var lang = document.documentElement.getAttribute("lang") || "";
  var languages = {};
  (config.languages || []).forEach(function (l) {
    languages[l.code] = l;
  });

  /* ---- Pagefind, loaded on first use ---- */

  var module = null;
  var local = null;
  var everywhere = null;

  function pagefind() {
    if (!module) {
      module = import(config.bundle + "pagefind.js").catch(function (error) {
        module = null; /* try again at the next search */
        throw error;
      });
    }
    return module;
  }

  function createInstance(pf) {
    var instance = pf.createInstance({ basePath: config.bundle, baseUrl: config.root, excerptLength: 24 });
    return instance.init().then(function () {
      return instance;
    });
  }

  /* The reader's language, or every language of the index (listed in pagefind-entry.json). */
  function instance(wide) {
    return pagefind().then(function (pf) {
      if (!wide) {
        local = local || createInstance(pf).catch(function (error) {
          local = null;
          throw error;
        });
        return local;
      }
      everywhere = everywhere || createInstance(pf).then(mergeOtherLanguages).catch(function (error) {
        everywhere = null;
        throw error;
      });
      return everywhere;
    });
  }

  function mergeOtherLanguages(instance) {
    return fetch(config.bundle + "pagefind-entry.json")
      .then(function (response) {
        return response.json();
      })
      .then(function (entry) {
        /* Pagefind skips merging a bundle whose path the main one starts with, taking it for
           itself; the other languages live in that same bundle, so they are merged under its
           absolute address, which names the same files. */
        var path = new URL(config.bundle, window.location.href).href;
        var others = Object.keys(entry.languages || {}).filter(function (code) {
          return code !== lang;
        });
        return Promise.all(
          others.map(function (code) {
            return instance.mergeIndex(path, { language: code, baseUrl: config.root });
          })
        );
      })
      .then(function () {
        return instance;
      });
  }

  /* ---- Rendering ---- */

  function countText(n) {
    var category = "other";
    var number = String(n);
    try {
      category = new Intl.PluralRules(lang).select(n);
      number = new Intl.NumberFormat(lang).format(n);
    } catch (e) {
      /* An unknown locale: "other" and plain digits. */
    }
    var forms = config.results || {};
    return (forms[category] || forms.other || "{count}").replace("{count}", number);
  }

  /* Pagefind's excerpts are HTML with <mark> around the matches. They are parsed in an inert
     <template> and only their text and marks are kept, so no markup from the index reaches
     the page. */
  function appendExcerpt(target, html) {
    var template = document.createElement("template");
    template.innerHTML = html || "";
    template.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        target.appendChild(mark);
      } else {
        target.appendChild(document.createTextNode(node.textContent));
      }
    });
  }

  function setLanguage(element, code) {
    element.setAttribute("lang", code);
    if (languages[code]) {
      element.setAttribute("dir", languages[code].dir);
    }
  }

  function resultItem(data) {
    var meta = data.meta || {};
    var code = meta.lang || lang;
    var elsewhere = code !== lang;
    var item = document.createElement("li");
    item.className = "search-result";
    var link = document.createElement("a");
    link.className = "search-result-title";
    link.href = data.url;
    link.textContent = meta.title || data.url;
    if (elsewhere) {
      link.setAttribute("hreflang", code);
      setLanguage(link, code);
    }
    item.appendChild(link);
    if (elsewhere && languages[code]) {
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = languages[code].name;
      setLanguage(badge, code);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(badge);
    }
    var excerpt = document.createElement("p");
    excerpt.className = "search-excerpt";
    if (elsewhere) {
      setLanguage(excerpt, code);
    }
    appendExcerpt(excerpt, data.excerpt);
    item.appendChild(excerpt);
    return item;
  }

  /* ---- Searching ---- */

  var generation = 0;
  var results = [];
  var shown = 0;
  var timer = null;

  function clear() {
    generation++;
    results = [];
    shown = 0;
    list.textContent = "";
    list.hidden = true;
    more.hidden = true;
    status.textContent = "";
  }

  /* Shows the next page of results; resolves to the first new link (or null). */
  function showMore(current) {
    var batch = results.slice(shown, shown + PAGE_SIZE);
    shown += batch.length;
    return Promise.all(
      batch.map(function (result) {
        return result.data();
      })
    ).then(function (pages) {
      if (current !== generation) {
        return null;
      }
      var first = null;
      pages.forEach(function (data) {
        var item = resultItem(data);
        first = first || item.querySelector("a");
        list.appendChild(item);
      });
      list.hidden = list.children.length === 0;
      more.hidden = shown >= results.length;
      return first;
    });
  }

  function search() {
    window.clearTimeout(timer);
    var term = input.value.trim();
    if (!term) {
      clear();
      return;
    }
    var current = ++generation;
    status.textContent = config.searching || "";
    instance(all.checked)
      .then(function (pf) {
        return pf.search(term);
      })
      .then(function (found) {
        if (current !== generation || !found) {
          return null;
        }
        results = found.results || [];
        shown = 0;
        list.textContent = "";
        return showMore(current).then(function () {
          if (current === generation) {
            status.textContent = countText(results.length);
          }
        });
      })
      .catch(function () {
        if (current === generation) {
          list.textContent = "";
          list.hidden = true;
          more.hidden = true;
          status.textContent = config.unavailable || "";
        }
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    search();
  });
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, DEBOUNCE_MS);
  });
  /* Start loading Pagefind as soon as the reader shows an interest. */
  input.addEventListener("focus", function () {
    pagefind().catch(function () {
      /* Reported when a search is made. */
    });
  });
  all.addEventListener("change", function () {
    if (input.value.trim()) {
      search();
    }
  });
  more.addEventListener("click", function () {
    showMore(generation).then(function (first) {
      if (first) {
        first.focus();
      }
    });
  });

  box.hidden = false;
})();
