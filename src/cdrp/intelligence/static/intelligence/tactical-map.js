// Tactical assessment map: neighbourhood (LSOA), ward and district boundaries with names as
// context, emerging hot spots and exceedances coloured by crime type, and a layer control (the
// page lists the legend below the map). A base-map tile layer only when the service sets one (CDRP_MAP_TILE_URL).
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
  function labelled(className) {
    return function (feature, layer) {
      var p = feature.properties || {};
      if (!p.name || !p.label_at) return;
      // Leaflet puts string content in as HTML: give it an element holding the name as text.
      var text = document.createElement("span");
      text.textContent = p.name;
      var label = L.tooltip({ permanent: true, direction: "center", className: className, interactive: false })
        .setLatLng([p.label_at[1], p.label_at[0]])
        .setContent(text);
      labels[className].push(label);
    };
  }
  var labels = { "cdrp-map-label--ward": [], "cdrp-map-label--district": [] };
  var all = L.geoJSON(data.lsoas, {
    style: { color: "#b1b4b6", weight: 1, fillOpacity: 0.03, className: "layer-lsoas" },
    onEachFeature: popup,
  }).addTo(map);
  var hot = L.geoJSON(data.hotspots, {
    style: { color: "#d4351c", weight: 2, fillOpacity: 0.45, className: "layer-hotspots" },
    onEachFeature: popup,
  }).addTo(map);
  var exceed = L.geoJSON(data.exceedances, {
    style: function (feature) {
      var c = (feature.properties && feature.properties.colour) || "#1d70b8";
      return { color: c, fillColor: c, weight: 2.5, fillOpacity: 0.3, dashArray: "5 3", className: "layer-exceedances" };
    },
    onEachFeature: popup,
  }).addTo(map);
  var wards = L.geoJSON(data.wards || { type: "FeatureCollection", features: [] }, {
    style: { color: "#505a5f", weight: 1.2, fill: false, interactive: false, className: "layer-wards" },
    onEachFeature: labelled("cdrp-map-label--ward"),
  });
  var districts = L.geoJSON(data.districts || { type: "FeatureCollection", features: [] }, {
    style: { color: "#0b0c0c", weight: 3, fill: false, interactive: false, className: "layer-districts" },
    onEachFeature: labelled("cdrp-map-label--district"),
  });
  var wardGroup = L.layerGroup([wards].concat(labels["cdrp-map-label--ward"]));
  var districtGroup = L.layerGroup([districts].concat(labels["cdrp-map-label--district"])).addTo(map);
  L.control
    .layers(null, {
      "Emerging hot spots": hot,
      "Exceedances": exceed,
      "District boundaries and names": districtGroup,
      "Ward boundaries and names": wardGroup,
      "Neighbourhoods (LSOAs)": all,
    }, { collapsed: window.innerWidth < 641 })
    .addTo(map);
  var bounds = all.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds);
  else map.setView([53.7, -2.7], 10);
})();
