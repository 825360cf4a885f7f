// The overlay: the later photo over the earlier one, uncovered from the left as the slider moves
// (the slider works with arrow keys too). Without JavaScript the photos still sit side by side.
for (const overlay of document.querySelectorAll("[data-overlay]")) {
  const top = overlay.querySelector(".overlay-top");
  const slider = overlay.parentElement.querySelector("[data-overlay-slider]");
  if (!top || !slider) continue;
  const show = () => {
    top.style.clipPath = `inset(0 0 0 ${100 - Number(slider.value)}%)`;
  };
  slider.addEventListener("input", show);
  show();
}
