// A signature pad on a canvas: pointer events for finger, pen and mouse. It fills the hidden
// "signature" (a PNG data URL) and "strokes" fields the server checks.
const canvas = document.getElementById("signature-pad");
if (canvas) {
  const form = canvas.closest("form");
  const output = form.querySelector('input[name="signature"]');
  const strokes = form.querySelector('input[name="strokes"]');
  const context = canvas.getContext("2d");
  let drawing = false;
  let count = 0;

  const resize = () => {
    // Draw at the device's pixel density so the line is crisp; the stored image stays 640×200.
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const width = canvas.clientWidth;
    canvas.width = width * ratio;
    canvas.height = (width * 200 / 640) * ratio;
    context.scale(ratio, ratio);
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#1f2a2c";
    count = 0;
    output.value = "";
    strokes.value = "0";
  };

  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return [event.clientX - box.left, event.clientY - box.top];
  };

  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    context.beginPath();
    context.moveTo(...point(event));
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    context.lineTo(...point(event));
    context.stroke();
    event.preventDefault();
  });
  const finish = () => {
    if (!drawing) return;
    drawing = false;
    count += 1;
    strokes.value = String(count);
    output.value = canvas.toDataURL("image/png");
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  document.getElementById("signature-clear").addEventListener("click", resize);
  resize();

  // Signing with the typed name (the keyboard's way): the drawing box is not needed then.
  const typing = form.querySelector('input[name="sign_by_typing"]');
  const drawBox = document.getElementById("signature-draw");
  if (typing && drawBox) {
    const sync = () => { drawBox.hidden = typing.checked; };
    typing.addEventListener("change", sync);
    sync();
  }
}

// Follow-up questions only matter after a "yes": hide them after a "no" (they stay visible without JS).
for (const group of document.querySelectorAll("[data-follow-ups-for]")) {
  const name = group.dataset.followUpsFor;
  const update = () => {
    const yes = document.querySelector(`input[name="${name}"][value="yes"]`);
    group.hidden = !(yes && yes.checked);
  };
  for (const radio of document.querySelectorAll(`input[name="${name}"]`)) radio.addEventListener("change", update);
  update();
}
