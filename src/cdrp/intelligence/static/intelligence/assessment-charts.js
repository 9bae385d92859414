// Strategic assessment page: draw each figure's Vega-Lite spec (from its json_script element).
// Under the site's Content-Security-Policy: `ast: true` runs Vega expressions with vega-embed's
// interpreter instead of compiling them with Function(), and vega-embed's and vega-tooltip's
// stylesheets come from /static/vendor/vega/vega-embed.css instead of injected <style> elements.
(function () {
  "use strict";
  if (!window.vegaEmbed) return;
  document.querySelectorAll(".cdrp-chart[data-spec]").forEach(function (el) {
    var source = document.getElementById(el.dataset.spec);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    // No actions menu: its summary element has no accessible name (axe: summary-name).
    window.vegaEmbed(el, spec, {
      actions: false,
      renderer: "svg",
      ast: true,
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true },
    });
  });
})();
