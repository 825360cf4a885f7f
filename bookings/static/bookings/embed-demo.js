// The demo "clinic website" listens for the outcome, as a clinic's own page would.
document.addEventListener("medspa:booked", (event) => {
  const status = document.getElementById("demo-status");
  if (status) status.textContent = `Thank you! Booking ${event.detail.reference} is confirmed.`;
});
