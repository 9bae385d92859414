import { initAll } from '/static/vendor/govuk/govuk-frontend.min.js'
initAll()

// A wide table scrolls inside its own region instead of the page scrolling sideways on a phone:
// each table of the main content is wrapped in a focusable, labelled region (keyboard users can
// scroll it too). Tables already inside a .cdrp-scroll region only get the focus and label.
function tableName (table) {
  const caption = table.querySelector('caption')
  if (caption && caption.textContent.trim()) return caption.textContent.trim()
  let el = table.previousElementSibling
  while (el && !/^H[1-6]$/.test(el.tagName)) el = el.previousElementSibling
  return el ? el.textContent.trim() : 'Table'
}
for (const table of document.querySelectorAll('main table')) {
  let region = table.closest('.cdrp-scroll')
  if (!region) {
    region = document.createElement('div')
    region.className = 'cdrp-scroll'
    table.parentNode.insertBefore(region, table)
    region.appendChild(table)
  }
  if (!region.hasAttribute('tabindex')) region.setAttribute('tabindex', '0')
  if (!region.hasAttribute('role')) region.setAttribute('role', 'region')
  if (!region.hasAttribute('aria-label') && !region.hasAttribute('aria-labelledby')) {
    region.setAttribute('aria-label', tableName(table))
  }
}

// The partnership's section menu folds on a phone, so the page's heading is the first thing read
// there; from tablet width up it stays open (its summary is hidden by the stylesheet).
const tablet = window.matchMedia('(min-width: 40.0625em)')
function foldMenus () {
  for (const menu of document.querySelectorAll('details[data-cdrp-fold-on-phone]')) {
    menu.open = tablet.matches
  }
}
foldMenus()
tablet.addEventListener('change', foldMenus)
