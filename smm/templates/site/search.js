// Client-side search over the posts: the index is a global set by search-index.js (no fetch:
// it fails from file://); `#q=words` in the address searches at once. Every word typed must appear in the id, title, date, pillar or campaign.
(function () {
  "use strict";
  var input = document.getElementById("search");
  var list = document.getElementById("results");
  var status = document.getElementById("status");
  var index = window.SMM_SEARCH_INDEX || [];
  var up = input.getAttribute("data-up");
  // a word matches as it reads: full-width letters and digits (a Chinese keyboard's) as their ASCII, an accent
  // typed apart as the accented letter, either case
  function fold(text) { return text.normalize("NFKC").toLowerCase(); }
  var haystacks = index.map(function (row) { return fold(row.slice(0, 5).join(" ")); });
  var LIMIT = 100;

  function show() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { return; }
    var found = 0;
    for (var i = 0; i < index.length; i++) {
      var text = haystacks[i];
      if (!words.every(function (w) { return text.indexOf(w) !== -1; })) { continue; }
      found++;
      if (found > LIMIT) { continue; }
      var row = index[i];
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = up + "posts/" + encodeURIComponent(row[0]) + "/index.html";
      link.textContent = row[1];
      if (row[5]) { link.lang = row[5]; }
      link.dir = "auto";  // a right-to-left title does not carry the date after it into its own direction
      item.appendChild(link);
      item.appendChild(document.createTextNode(" " + [row[2], row[3], row[4]].filter(Boolean).join(" · ")));
      list.appendChild(item);
    }
    status.textContent = found + " " + (found > LIMIT ? input.getAttribute("data-more").replace("{shown}", LIMIT)
                                                       : input.getAttribute("data-results"));
  }

  function fromAddress() {  // on load, and when the address names another search
    if (location.hash.indexOf("#q=") === 0) {
      try { input.value = decodeURIComponent(location.hash.slice(3)); } catch (e) { input.value = location.hash.slice(3); }  // a lone %
    }
    show();
  }
  input.addEventListener("input", show);
  window.addEventListener("hashchange", fromAddress);
  fromAddress();
}());
