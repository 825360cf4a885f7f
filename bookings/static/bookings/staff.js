// The day grid stays current on its own: every minute it fetches itself again (appointments
// booked at the other desk, check-ins, the current-time line), keeping the scroll position.
const holder = document.getElementById("day-grid");
if (holder) {
  const refresh = async () => {
    if (document.hidden || holder.contains(document.activeElement)) return;
    try {
      const response = await fetch(holder.dataset.refresh, { headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const grid = holder.querySelector(".time-grid");
      const left = grid ? grid.scrollLeft : 0;
      holder.innerHTML = await response.text();
      const fresh = holder.querySelector(".time-grid");
      if (fresh) fresh.scrollLeft = left;
    } catch {
      // Offline for a moment: the next tick tries again.
    }
  };
  setInterval(refresh, 60_000);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
}
