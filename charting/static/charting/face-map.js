// The face map on the chart page: selecting a region focuses that area and side's row in the
// injection-site table (or fills the first blank row with them). Without this script the region
// is a plain link to the table, which works on its own.
const map = document.querySelector(".face-map");
const rows = () => Array.from(document.querySelectorAll(".site-row"));
const field = (row, name) => row.querySelector(`[data-field="${name}"]`);

function focusRow(areaId, side) {
  const all = rows();
  if (!all.length) return false;
  let row = all.find((r) => field(r, "area").value === areaId && field(r, "side").value === side);
  if (!row) {
    row = all.find((r) => !field(r, "area").value && !field(r, "units").value);
    if (!row) return false;
    field(row, "area").value = areaId;
    field(row, "side").value = side;
  }
  const units = field(row, "units");
  units.focus();
  units.select();
  return true;
}

if (map) {
  map.addEventListener("click", (event) => {
    const region = event.target.closest("a.region");
    if (!region || !region.dataset.areaId) return;
    if (focusRow(region.dataset.areaId, region.dataset.side)) event.preventDefault();
  });
}
