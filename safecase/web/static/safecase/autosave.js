// Autosave for the concern form (R7): every 30 seconds, if anything changed, the draft is saved
// in the background. Files are not sent (they go with the buttons). Without JavaScript the
// "Save as draft" button does the same. Nothing is kept in the browser's storage.
const form = document.querySelector("form[data-autosave]");
if (form) {
  const status = document.getElementById("autosave-status");
  const seconds = Number(form.dataset.autosave) || 30;
  let dirty = false;
  let busy = false;
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("change", () => { dirty = true; });
  form.addEventListener("submit", () => { dirty = false; });

  async function save() {
    if (!dirty || busy) return;
    busy = true;
    dirty = false;
    const data = new FormData(form);
    data.delete("attachment");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        headers: { "X-Autosave": "1", "X-CSRFToken": data.get("csrfmiddlewaretoken") },
        credentials: "same-origin",
      });
      const result = await response.json();
      if (result.saved) {
        form.querySelector("input[name=version]").value = result.version;
        if (form.action !== new URL(result.edit_url, location.href).href) {
          form.action = result.edit_url;
          history.replaceState(null, "", result.edit_url);
        }
        if (status) status.textContent = `Draft saved at ${result.saved_at}. Only you can see it.`;
      } else if (status) {
        status.textContent = `Not saved automatically: ${result.reason}. Use "Save as draft".`;
        dirty = true;
      }
    } catch (error) {
      dirty = true;
      if (status) status.textContent = "Not saved automatically (no connection). Keep this page open.";
    } finally {
      busy = false;
    }
  }
  setInterval(save, seconds * 1000);
}
