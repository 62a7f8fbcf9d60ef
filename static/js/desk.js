// Live countdowns on the staff desk: every <time data-deadline> ticks each second between the
// htmx refreshes. The server renders the same text, so the page reads right without JavaScript.
(function () {
  function short(seconds) {
    seconds = Math.floor(Math.abs(seconds));
    var d = Math.floor(seconds / 86400), h = Math.floor((seconds % 86400) / 3600),
        m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    if (d) return h ? d + " d " + h + " h" : d + " d";
    if (h) return m ? h + " h " + m + " min" : h + " h";
    if (m) return m + " min";
    return s + " s";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time[data-deadline]").forEach(function (el) {
      var left = (Date.parse(el.dataset.deadline) - now) / 1000;
      el.textContent = left > 0 ? "in " + short(left) : short(left) + " ago";
    });
  }
  setInterval(tick, 1000);
})();
