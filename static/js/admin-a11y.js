// Django admin's autocomplete boxes (select2) name themselves after their empty text: name each
// one, and its text box, by the label of the field it stands for.
function nameAutocompletes() {
  document.querySelectorAll("select.admin-autocomplete[id]").forEach((select) => {
    const label = document.querySelector(`label[for="${select.id}"]`);
    const container = select.nextElementSibling;
    if (!label || !container) return;
    if (!label.id) label.id = `${select.id}-label`;
    container.querySelectorAll(".select2-selection, .select2-selection__rendered").forEach((el) => {
      el.setAttribute("aria-labelledby", label.id);
    });
  });
}
// select2 builds its boxes in a jQuery ready callback, which may run after the window's load event,
// and again for each inline row added: name them whenever the page's elements change.
document.addEventListener("DOMContentLoaded", () => {
  nameAutocompletes();
  new MutationObserver(nameAutocompletes).observe(document.body, { childList: true, subtree: true });
});
