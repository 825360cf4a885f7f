// The camera frames: when a photo is taken or chosen, show it inside its frame, under the
// framing guide, so the injector sees at once whether the face sits in the outline.
// (A data: URL: the Content-Security-Policy allows images from this site and data: only.)
for (const input of document.querySelectorAll("input.photo-input[type=file]")) {
  const frame = document.querySelector(`[data-frame-for="${input.id}"]`);
  const preview = frame ? frame.querySelector(".photo-preview") : null;
  if (!preview) continue;
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    if (!file || !file.type.startsWith("image/")) {
      preview.hidden = true;
      preview.removeAttribute("src");
      return;
    }
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      preview.src = String(reader.result);
      preview.hidden = false;
    });
    reader.readAsDataURL(file);
  });
}
