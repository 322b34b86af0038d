// The inbox's SLA clocks and counts as they stand when the page is read: the page says them as of its build,
// which may be hours old. Each is written again at once and every 30 seconds, as smm.site.inbox writes it
// (`1d3h05m`, whole minutes), in the page's own words; times are milliseconds since the epoch:
//   [data-due]         an item's clock: time left, or overdue since (its `data-left` / `data-late` words)
//   [data-late-only]   shown once the clock inside it is overdue (the home page's most overdue items)
//   [data-overdue-by]  how many of its due times (space-separated) have passed
//   [data-since]       how long ago that was (the oldest wait)
(function () {
  "use strict";
  var clocks = document.querySelectorAll("[data-due]"), counts = document.querySelectorAll("[data-overdue-by]"),
      waits = document.querySelectorAll("[data-since]");
  function duration(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), rest = minutes % 1440, m = rest % 60;
    return (days ? days + "d" : "") + Math.floor(rest / 60) + "h" + (m < 10 ? "0" : "") + m + "m";
  }
  function tick() {
    var now = Date.now(), i;
    for (i = 0; i < clocks.length; i++) {
      var clock = clocks[i], left = Number(clock.getAttribute("data-due")) - now, late = left < 0;
      var shown = clock.closest("[data-late-only]");
      clock.textContent = clock.getAttribute(late ? "data-late" : "data-left").replace("{time}", duration(left));
      clock.classList.toggle("late", late);
      if (shown) { shown.hidden = !late; }
    }
    for (i = 0; i < counts.length; i++) {
      var dues = counts[i].getAttribute("data-overdue-by").split(" "), overdue = 0;
      for (var j = 0; j < dues.length; j++) { overdue += dues[j] !== "" && Number(dues[j]) < now ? 1 : 0; }
      counts[i].textContent = String(overdue);
    }
    for (i = 0; i < waits.length; i++) {
      waits[i].textContent = duration(Math.max(0, now - Number(waits[i].getAttribute("data-since"))));
    }
  }
  if (clocks.length || counts.length || waits.length) {
    tick();
    setInterval(tick, 30000);
  }
}());
