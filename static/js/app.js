// Page behaviour without inline script, so the Content-Security-Policy can forbid inline code.
// Templates mark elements with data attributes instead of on* handlers:
//   data-print        a button that prints the page
//   data-confirm="…"  a form that asks before it submits
//   data-autosubmit   a select that submits its form when changed
//   data-refresh-on="…" a form that fires a "refresh" event (for an hx-trigger) when one of the
//                     fields the selector names changes; htmx's own [filter] needs eval, which
//                     the policy forbids
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

document.addEventListener("change", (event) => {
  const select = event.target.closest("[data-autosubmit]");
  if (select && select.form) {
    select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
  }
});

document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-refresh-on]");
  if (form && event.target.matches(form.dataset.refreshOn)) {
    form.dispatchEvent(new Event("refresh"));
  }
});
