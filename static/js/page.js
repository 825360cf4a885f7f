// Small behaviours any page can ask for with a data attribute, instead of inline handlers
// (the Content-Security-Policy refuses onclick=, onchange= and onsubmit=):
//   <select data-auto-submit>        submits its form when changed (the form keeps a visible
//                                     submit button, so the page works without JavaScript)
//   <button type="button" data-print> opens the browser's print dialog
//   <form data-confirm="Question?">  asks before submitting; Cancel keeps the page as it is
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof Element && field.matches("[data-auto-submit]") && field.form) {
    field.form.requestSubmit();
  }
});

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (button) {
    event.preventDefault();
    window.print();
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
