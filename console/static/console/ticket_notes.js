// The ticket page's working notes: saved about 1 s after typing stops, and copied into every button's form
// (the server saves them before the button's step), so nothing typed is lost to a click or a reassignment.
// The text is never cleared on a refusal: the status line says why it was not saved.
(function () {
  var SAVE_DELAY_MS = 1000;

  function setup() {
    var textarea = document.getElementById("cb-working-notes");
    if (!textarea) return;
    var form = document.getElementById("cb-notes-form");
    var status = document.getElementById("cb-notes-status");
    var count = document.getElementById("cb-notes-count");
    var limit = parseInt(textarea.dataset.maxLength, 10);
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    var saved = textarea.value;
    var timer = null;
    var inFlight = false;

    function show(text, failed) {
      status.textContent = text;
      status.classList.toggle("cb-failed", !!failed);
    }

    function showCount() {
      count.textContent = textarea.value.length.toLocaleString() + " / " + limit.toLocaleString();
      count.classList.toggle("cb-failed", textarea.value.length > limit);
    }

    function save(keepalive) {
      clearTimeout(timer);
      timer = null;
      var text = textarea.value;
      if (text === saved) return;
      if (text.length > limit) {
        show("Not saved: " + text.length.toLocaleString() + " characters, at most " + limit.toLocaleString() + ".", true);
        return;
      }
      var body = new FormData();
      body.append("csrfmiddlewaretoken", token);
      body.append("notes", text);
      inFlight = true;
      show("Saving…");
      fetch(form.action, {
        method: "POST",
        body: body,
        headers: { Accept: "application/json", "X-CSRFToken": token },
        credentials: "same-origin",
        keepalive: !!keepalive,
      })
        .then(function (response) {
          return response.json().then(
            function (data) { return { ok: response.ok, data: data }; },
            function () {
              // Not JSON: most often the login page, after the session ended.
              return { ok: false, data: { detail: "your session may have ended. Your text is still here: copy it, then reload the page." } };
            }
          );
        })
        .then(function (result) {
          inFlight = false;
          if (result.ok && result.data.saved) {
            if (textarea.value === text) {
              saved = text;
              show("Saved " + result.data.saved_at);
            } else {
              saved = text;
              schedule();
            }
          } else {
            show("Not saved: " + result.data.detail, true);
          }
        })
        .catch(function () {
          inFlight = false;
          show("Not saved: no connection. Your text is still here; it is saved with your next button.", true);
        });
    }

    function schedule() {
      clearTimeout(timer);
      show("Unsaved changes…");
      timer = setTimeout(save, SAVE_DELAY_MS);
    }

    textarea.addEventListener("input", function () {
      showCount();
      schedule();
    });

    // Every button of the page carries the notes: the server saves them before it starts, resolves,
    // reassigns or hands back, in the same request.
    document.querySelectorAll("form.cb-work-form").forEach(function (actionForm) {
      actionForm.addEventListener("submit", function () {
        clearTimeout(timer);
        var field = actionForm.querySelector("input[name=working_notes]");
        if (!field) {
          field = document.createElement("input");
          field.type = "hidden";
          field.name = "working_notes";
          actionForm.appendChild(field);
        }
        field.value = textarea.value;
      });
    });

    // Leaving the page with changes not yet sent: send them anyway (keepalive outlives the page).
    window.addEventListener("pagehide", function () {
      if (textarea.value !== saved && !inFlight) save(true);
    });
    showCount();
    if (textarea.dataset.unsaved) {
      saved = null; // text a refused button brought back: not on the ticket yet
      schedule();
    }
  }

  document.addEventListener("DOMContentLoaded", setup);
})();
