// The Approvals pages' countdowns: "due in N min" / "overdue by N min", refreshed every 20 s from data-due.
(function () {
  function refresh() {
    var now = Date.now();
    document.querySelectorAll(".cb-countdown[data-due]").forEach(function (element) {
      var seconds = (Date.parse(element.dataset.due) - now) / 1000;
      element.textContent =
        seconds >= 0 ? "due in " + Math.floor(seconds / 60) + " min" : "overdue by " + Math.floor(-seconds / 60) + " min";
      element.classList.toggle("cb-late", seconds < 0);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    refresh();
    setInterval(refresh, 20000);
  });
})();
