// Live updates of the console (docs/console.md, "Live updates"): short polls of /admin/live/, never a held-open
// request, so that an open page costs gunicorn's sync workers one small request every few seconds.
//
// Every admin page: the "Notifications: N" badge, "My tickets (N)" and the tab title follow the poll; an urgent
// notification raises a desktop alert (after a click on "Enable desktop alerts") and, if switched on, a beep.
// Queue page: when the queue's version changes, the page is fetched again with its own query string and its
// results table and queue board are swapped in place (selection and scroll kept, new rows highlighted).
// Inbox: its list is swapped the same way when the unread notifications change.
// Ticket page: a banner says when the ticket moved under you; the page itself (and what you typed) stays.
(function () {
  "use strict";

  var VISIBLE_MS = 3000; // a new ticket shows within 5 s
  var HIDDEN_MS = 30000; // a tab in the background polls ten times less
  var MAX_BACKOFF_MS = 60000; // a server that fails is asked less and less often
  var TIMEOUT_MS = 10000;
  var HIGHLIGHT_MS = 8000;
  var SOUND_KEY = "cb-live-sound";
  var ALERTED_KEY = "cb-live-alerted";

  var badge, config, etag = null, previous = null, failures = 0, timer = null, inFlight = false, stopped = false;
  var baseTitle = document.title.replace(/^\(\d+\+?\) /, "");
  var audio = null;
  var list = { busy: false, again: false, last: 0, cost: 0, timer: null };

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function bodyHas(name) {
    return document.body.classList.contains(name);
  }

  function isQueuePage() {
    return bodyHas("model-handoffticket") && bodyHas("change-list");
  }

  function isInbox() {
    return bodyHas("model-agentnotification") && bodyHas("change-list");
  }

  // -- polling ----------------------------------------------------------------------------------------

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  function nextDelay() {
    if (failures) return Math.min(MAX_BACKOFF_MS, VISIBLE_MS * Math.pow(2, failures));
    return document.hidden ? HIDDEN_MS : VISIBLE_MS;
  }

  function pollUrl() {
    return config.ticket ? config.url + "?ticket=" + encodeURIComponent(config.ticket.id) : config.url;
  }

  function poll() {
    if (inFlight || stopped) return; // never two polls at once: the running one schedules the next
    inFlight = true;
    var controller = new AbortController();
    var abort = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    var headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    fetch(pollUrl(), {
      headers: headers, credentials: "same-origin", cache: "no-store", redirect: "manual", signal: controller.signal,
    })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 403) {
          stop("Your session has ended or needs its second factor: reload the page to sign in again.");
          return null;
        }
        if (response.status === 304) return null;
        if (!response.ok) throw new Error("poll answered " + response.status);
        etag = response.headers.get("ETag");
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        if (state) apply(state);
      })
      .catch(function () {
        failures += 1;
      })
      .finally(function () {
        clearTimeout(abort);
        inFlight = false;
        if (!stopped) schedule(nextDelay());
      });
  }

  function stop(message) {
    stopped = true;
    clearTimeout(timer);
    showBanner(message, false);
  }

  // -- what a poll changes ----------------------------------------------------------------------------

  function apply(state) {
    var before = previous || config.rendered;
    showCounts(state);
    alertIfUrgent(state.newest_unread);
    if (isQueuePage() && state.version !== before.version) refreshList();
    if (isInbox() && (state.unread !== before.unread || newestId(state) !== newestId(before))) refreshList();
    if (config.ticket && state.ticket !== undefined) checkTicket(state.ticket);
    previous = state;
  }

  function newestId(state) {
    return state.newest_unread ? state.newest_unread.id : state.newest_id || null;
  }

  function showCounts(state) {
    var label = state.unread_capped ? state.unread - 1 + "+" : String(state.unread);
    badge.textContent = "Notifications: " + label;
    badge.classList.toggle("cb-has-unread", state.unread > 0);
    document.title = state.unread > 0 ? "(" + label + ") " + baseTitle : baseTitle;
    var held = document.getElementById("cb-held");
    if (held) held.textContent = "My tickets (" + state.held + ")";
  }

  // -- the ticket page --------------------------------------------------------------------------------

  function checkTicket(ticket) {
    var seen = config.ticket;
    if (ticket === null) {
      showBanner("This ticket no longer exists.", true);
      return;
    }
    if (ticket.status === seen.status && (ticket.holder || "") === seen.holder) return;
    var change = ticket.last_change ? ticket.last_change.text : "Now " + ticket.status_label.toLowerCase() + ".";
    var when = ticket.last_change ? " (" + new Date(ticket.last_change.at).toLocaleTimeString() + ")" : "";
    showBanner("This ticket changed while you had it open: " + change + when, true);
  }

  function showBanner(text, withReload) {
    var banner = document.getElementById("cb-live-banner");
    if (!banner) return;
    banner.textContent = "";
    var message = document.createElement("span");
    message.className = "cb-live-text";
    message.textContent = text + " ";
    banner.appendChild(message);
    if (withReload) {
      var link = document.createElement("a");
      link.href = window.location.href;
      link.id = "cb-live-reload";
      link.textContent = "Reload to see it";
      banner.appendChild(link);
      var keep = document.createElement("span");
      keep.className = "cb-muted";
      keep.textContent = " · what you typed here stays until you reload; copy it first if it is not saved.";
      banner.appendChild(keep);
    }
    banner.hidden = false;
  }

  // -- queue page and inbox: swap the list in place ---------------------------------------------------

  function refreshList() {
    if (list.busy) {
      list.again = true; // one more fetch once this one is done, never two at once
      return;
    }
    // A changelist costs far more than a poll: at most one fetch per poll period, more spaced out if slow.
    var wait = list.last + Math.max(VISIBLE_MS, 5 * list.cost) - Date.now();
    if (wait > 0) {
      clearTimeout(list.timer);
      list.timer = setTimeout(refreshList, wait);
      return;
    }
    list.busy = true;
    var started = Date.now();
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store", redirect: "manual" })
      .then(function (response) {
        if (!response.ok) throw new Error("page answered " + response.status);
        return response.text();
      })
      .then(function (html) {
        swapList(new DOMParser().parseFromString(html, "text/html"));
      })
      .catch(function () {})
      .finally(function () {
        list.busy = false;
        list.last = Date.now();
        list.cost = list.last - started;
        if (list.again) {
          list.again = false;
          refreshList();
        }
      });
  }

  function rowKeys(root) {
    var keys = new Set();
    root.querySelectorAll("#result_list tbody tr").forEach(function (row) {
      keys.add(rowKey(row));
    });
    return keys;
  }

  function rowKey(row) {
    var box = row.querySelector("input.action-select");
    var link = row.querySelector("a[href]");
    return box ? box.value : link ? link.getAttribute("href") : row.textContent;
  }

  function replace(selector, fresh) {
    var current = document.querySelector(selector);
    var incoming = fresh.querySelector(selector);
    if (!current || !incoming) return false;
    current.replaceWith(document.adoptNode(incoming));
    return true;
  }

  function swapList(fresh) {
    var scroll = window.scrollY;
    var known = rowKeys(document);
    var checked = new Set();
    document.querySelectorAll("#result_list input.action-select:checked").forEach(function (box) {
      checked.add(box.value);
    });
    replace("#cb-queue-board", fresh);
    if (!replace("#result_list", fresh)) replace("#changelist-form", fresh); // list empty before or after
    replace("#changelist-form .paginator", fresh);
    replace("#changelist-search .small.quiet", fresh); // "N results (Show all)"; the search box stays as typed
    var boxes = document.querySelectorAll("#result_list input.action-select");
    var kept = 0;
    boxes.forEach(function (box) {
      if (checked.has(box.value)) {
        box.checked = true;
        box.closest("tr").classList.add("selected");
        kept += 1;
      }
    });
    var counter = document.querySelector("span.action-counter");
    var freshCounter = fresh.querySelector("span.action-counter");
    if (counter && freshCounter) {
      counter.dataset.actionsIcnt = freshCounter.dataset.actionsIcnt;
      counter.textContent = freshCounter.textContent.replace(/^\d+/, String(kept)); // "K of N selected"
    }
    if (boxes.length && typeof window.Actions === "function") window.Actions(boxes); // the new rows' checkboxes
    highlightNew(known);
    window.scrollTo(0, scroll);
  }

  function highlightNew(known) {
    document.querySelectorAll("#result_list tbody tr").forEach(function (row) {
      if (known.has(rowKey(row))) return;
      row.classList.add("cb-live-new");
      setTimeout(function () { row.classList.remove("cb-live-new"); }, HIGHLIGHT_MS);
    });
  }

  // -- desktop alerts and sound -----------------------------------------------------------------------

  function alertIfUrgent(notice) {
    if (!notice || !notice.urgent) return;
    var alerted = null;
    try {
      alerted = window.localStorage.getItem(ALERTED_KEY);
      window.localStorage.setItem(ALERTED_KEY, notice.id); // one alert per notification, across tabs
    } catch (error) { /* storage refused: alert anyway */ }
    if (alerted === notice.id) return;
    if ("Notification" in window && Notification.permission === "granted") {
      // The queue only, not the customer's words: desktop alerts show on screens others may see.
      try {
        var alert = new Notification("Urgent ticket", { body: notice.message.split(" — ")[0], tag: notice.id });
        alert.onclick = function () {
          window.focus();
          window.location.href = notice.ticket_url;
        };
      } catch (error) { /* a browser that only notifies through a service worker: the beep and badge remain */ }
    }
    if (soundOn()) beep();
  }

  function soundOn() {
    try {
      return window.localStorage.getItem(SOUND_KEY) === "on";
    } catch (error) {
      return false;
    }
  }

  function beep() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    audio = audio || new Context();
    if (audio.state === "suspended") audio.resume();
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.type = "sine";
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start();
    oscillator.stop(audio.currentTime + 0.4);
  }

  function controls() {
    var box = document.createElement("span");
    box.id = "cb-live-controls";
    if ("Notification" in window && Notification.permission === "default") {
      var enable = document.createElement("button");
      enable.type = "button";
      enable.id = "cb-enable-alerts";
      enable.className = "cb-live-toggle";
      enable.textContent = "Enable desktop alerts";
      enable.addEventListener("click", function () {
        Notification.requestPermission().then(function () { enable.remove(); });
      });
      box.appendChild(enable);
    }
    var sound = document.createElement("button");
    sound.type = "button";
    sound.id = "cb-sound-toggle";
    sound.className = "cb-live-toggle";
    function label() {
      sound.textContent = soundOn() ? "Sound: on" : "Sound: off";
      sound.setAttribute("aria-pressed", soundOn() ? "true" : "false");
    }
    sound.addEventListener("click", function () {
      try {
        window.localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on");
      } catch (error) { /* storage refused: the toggle cannot be kept */ }
      label();
      if (soundOn()) beep(); // a sample, and the click lets the browser play later ones
    });
    label();
    box.appendChild(sound);
    badge.insertAdjacentElement("afterend", box);
    badge.insertAdjacentText("afterend", " ");
  }

  // -- start ------------------------------------------------------------------------------------------

  ready(function () {
    badge = document.getElementById("cb-unread");
    if (!badge || !badge.dataset.liveUrl || !window.fetch) return; // not an agent's page
    var summary = document.querySelector("[data-live-ticket]");
    config = {
      url: badge.dataset.liveUrl,
      rendered: {
        version: badge.dataset.liveVersion,
        unread: Number(badge.dataset.unread),
        newest_id: badge.dataset.newestUnread || null,
      },
      ticket: summary
        ? { id: summary.dataset.liveTicket, status: summary.dataset.liveStatus, holder: summary.dataset.liveHolder }
        : null,
    };
    controls();
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && !stopped) schedule(0); // back on the tab: up to date at once
    });
    schedule(0);
  });
})();
