// The inbox's SLA clocks as they stand when the page is read: the page says them as of its build, which may
// be hours old. Each `[data-due]` (the due time, milliseconds since the epoch) is written again at once and
// every 30 seconds, as smm.site.inbox.clock writes it (`1d3h05m`, whole minutes), in the page's own words.
(function () {
  "use strict";
  var clocks = document.querySelectorAll("[data-due]");
  function duration(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440), rest = minutes % 1440, m = rest % 60;
    return (days ? days + "d" : "") + Math.floor(rest / 60) + "h" + (m < 10 ? "0" : "") + m + "m";
  }
  function tick() {
    var now = Date.now(), overdue = {};
    for (var i = 0; i < clocks.length; i++) {
      var clock = clocks[i], left = Number(clock.getAttribute("data-due")) - now, late = left < 0;
      var network = clock.getAttribute("data-network");
      clock.textContent = clock.getAttribute(late ? "data-late" : "data-left").replace("{time}", duration(left));
      clock.classList.toggle("late", late);
      overdue[network] = (overdue[network] || 0) + (late ? 1 : 0);
    }
    // the inbox page's count per network (it has every open item's clock): as many as its clocks say
    var counts = document.querySelectorAll("[data-overdue-of]");
    for (var j = 0; j < counts.length; j++) {
      counts[j].textContent = String(overdue[counts[j].getAttribute("data-overdue-of")] || 0);
    }
  }
  if (clocks.length) {
    tick();
    setInterval(tick, 30000);
  }
}());
