// Tactical assessment map: LSOA, hot-spot and exceedance layers with a layer control.
(function () {
  "use strict";
  var el = document.getElementById("tactical-map");
  var dataEl = document.getElementById("tactical-map-data");
  if (!el || !dataEl || !window.L) return;
  var data = JSON.parse(dataEl.textContent);
  var map = L.map(el);
  if (data.tile_url) {
    L.tileLayer(data.tile_url, { attribution: data.tile_attribution || "" }).addTo(map);
  }
  function popup(feature, layer) {
    var p = feature.properties || {};
    var text = (p.name || "") + (p.code ? " (" + p.code + ")" : "");
    if (p.pattern) text += ": " + p.pattern;
    if (p.category) text += ": " + p.category + ", " + p.observed + " records (" + p.expected + " expected)";
    // Leaflet puts a string popup in as HTML: give it an element holding the text instead.
    var content = document.createElement("p");
    content.className = "cdrp-map-popup";
    content.textContent = text;
    layer.bindPopup(content);
  }
  var all = L.geoJSON(data.lsoas, {
    style: { color: "#505a5f", weight: 1, fillOpacity: 0.05, className: "layer-lsoas" },
    onEachFeature: popup,
  }).addTo(map);
  var hot = L.geoJSON(data.hotspots, {
    style: { color: "#d4351c", weight: 2, fillOpacity: 0.4, className: "layer-hotspots" },
    onEachFeature: popup,
  }).addTo(map);
  var exceed = L.geoJSON(data.exceedances, {
    style: { color: "#1d70b8", weight: 2, fillOpacity: 0.25, dashArray: "4", className: "layer-exceedances" },
    onEachFeature: popup,
  }).addTo(map);
  L.control
    .layers(null, { "Emerging hot-spots": hot, "Exceedances": exceed, "All LSOAs": all }, { collapsed: false })
    .addTo(map);
  var bounds = all.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds);
  else map.setView([53.7, -2.7], 10);
})();
