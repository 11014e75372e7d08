// Search-as-you-type: the results of the header's box appear without a page reload,
// fetched from this server as HTML it rendered (and escaped) itself.
"use strict";
(function () {
  const box = document.getElementById("q");
  if (!box) return;
  const target = document.getElementById("results") || document.getElementById("live-results");
  let timer = 0;
  let latest = 0;
  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(async function () {
      const query = box.value.trim();
      const asked = ++latest;
      const reply = await fetch("/search/results?q=" + encodeURIComponent(query), {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
      });
      if (asked !== latest) return;
      target.innerHTML = reply.ok ? await reply.text() : "";
      if (target.id === "results") {
        history.replaceState(null, "", query ? "/search?q=" + encodeURIComponent(query) : "/search");
      }
    }, 150);
  });
})();
