// Progressive enhancement only: every console action works without script.
document.addEventListener("change", (event) => {
  const all = event.target.closest("[data-select-all]");
  if (all) {
    const name = all.dataset.selectAll;
    for (const box of document.querySelectorAll(`input[type=checkbox][name="${name}"]`)) box.checked = all.checked;
  }
  const facet = event.target.closest("[data-facet-select]");
  if (facet) {
    const form = facet.form;
    for (const group of form.querySelectorAll("optgroup[data-facet]")) group.disabled = group.dataset.facet !== facet.value;
    const first = form.querySelector(`optgroup[data-facet="${facet.value}"] option`);
    if (first) first.selected = true;
  }
});
