// The moderation workspace, enhanced: one key per decision, decisions without
// a page load, and Undo for 10 seconds. Without this file every control is a
// plain form and works the same, a page load at a time.
"use strict";

(function () {
  const root = document.querySelector(".mq");
  if (!root) return;
  const list = root.querySelector(".mq-rows");
  const toast = document.getElementById("mq-toast");
  const keysDialog = document.getElementById("mq-keys");
  const keysButton = root.querySelector(".mq-keys-button");
  const selected = document.getElementById("mq-selected");
  const UNDO_SECONDS = 10;
  let current = null;
  let lastUndo = null; // {row, after, url, token, tab}
  let toastTimer = null;

  const rows = () => Array.from(root.querySelectorAll(".mq-row"));

  function setCurrent(row, { focus = true } = {}) {
    if (current) current.classList.remove("mq-current");
    current = row || null;
    if (!current) return;
    current.classList.add("mq-current");
    if (focus) current.focus();
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const index = all.indexOf(current);
    const next = all[Math.min(all.length - 1, Math.max(0, index + step))] || all[0];
    setCurrent(next);
  }

  function showToast(message, undo) {
    clearTimeout(toastTimer);
    toast.replaceChildren(document.createTextNode(message));
    if (undo) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = "Undo";
      button.setAttribute("aria-keyshortcuts", "u");
      button.addEventListener("click", undoLast);
      toast.append(" ", button);
    }
    toast.hidden = false;
    toastTimer = setTimeout(() => {
      toast.hidden = true;
      lastUndo = null;
    }, UNDO_SECONDS * 1000);
  }

  function updateCounts(data) {
    for (const [key, label] of Object.entries(data.counts || {})) {
      const badge = root.querySelector(`[data-count="${key}"]`);
      if (badge) badge.textContent = label;
    }
    const summary = document.getElementById("mq-summary");
    if (summary && data.summary) summary.textContent = data.summary;
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    let data = {};
    try {
      data = await response.json();
    } catch {
      data = { detail: `The server answered ${response.status}.` };
    }
    if (!response.ok) throw new Error(data.detail || `The server answered ${response.status}.`);
    return data;
  }

  function emptyNotice() {
    if (rows().length) return;
    let notice = root.querySelector(".mq-empty");
    if (!notice) {
      notice = document.createElement("p");
      notice.className = "mq-empty";
      notice.textContent = "Nothing left on this page.";
      (list || root).after(notice);
    }
  }

  async function decide(form, submitter) {
    const row = form.closest(".mq-row");
    const body = new FormData(form, submitter);
    // Not form.action: the buttons named "action" shadow that property.
    const url = form.getAttribute("action");
    try {
      const data = await post(url, body);
      const after = row.nextElementSibling;
      const all = rows();
      const index = all.indexOf(row);
      const next = all[index + 1] || all[index - 1] || null;
      row.remove();
      setCurrent(next);
      if (!next) emptyNotice();
      updateCounts(data);
      lastUndo = data.undo
        ? { row, after, url, token: data.undo, tab: root.dataset.tab, csrf: body.get("csrfmiddlewaretoken") }
        : null;
      showToast(data.message, Boolean(lastUndo));
    } catch (error) {
      showToast(error.message, false);
    }
  }

  async function undoLast() {
    if (!lastUndo) return;
    const undo = lastUndo;
    lastUndo = null;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", undo.csrf);
    body.append("action", "undo");
    body.append("token", undo.token);
    body.append("tab", undo.tab);
    try {
      const data = await post(undo.url, body);
      if (undo.after && undo.after.isConnected) undo.after.before(undo.row);
      else list.append(undo.row);
      root.querySelector(".mq-empty")?.remove();
      setCurrent(undo.row);
      updateCounts(data);
      showToast(data.message, false);
    } catch (error) {
      showToast(error.message, false);
    }
  }

  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.closest(".mq-row")) return; // the bulk form and the no-script Undo: a page load
    event.preventDefault();
    decide(form, event.submitter);
  });

  root.addEventListener("focusin", (event) => {
    const row = event.target.closest(".mq-row");
    if (row && row !== current) setCurrent(row, { focus: false });
  });

  root.addEventListener("change", (event) => {
    if (event.target.name !== "_selected_action" || !selected) return;
    const count = root.querySelectorAll('input[name="_selected_action"]:checked').length;
    selected.textContent = count ? `${count} selected` : "";
  });

  function press(action) {
    const button = current?.querySelector(`.mq-decide button[value="${action}"]`);
    if (button) button.closest("form").requestSubmit(button);
  }

  const KEYS = {
    j: () => move(1),
    k: () => move(-1),
    a: () => press("approve"),
    s: () => press("spam"),
    d: () => press("remove"),
    u: () => undoLast(),
    x: () => {
      const box = current?.querySelector('input[name="_selected_action"]');
      if (box) {
        box.checked = !box.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      }
    },
    r: () => {
      const reply = current?.querySelector(".mq-reply");
      if (reply) {
        reply.open = true;
        reply.querySelector("textarea").focus();
      }
    },
    "?": () => keysDialog.showModal(),
  };

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target;
    if (target.closest("input:not([type=checkbox]), textarea, select, [contenteditable], dialog")) return;
    const handler = KEYS[event.key];
    if (!handler) return;
    event.preventDefault();
    handler();
  });

  if (keysButton) {
    keysButton.hidden = false;
    keysButton.addEventListener("click", () => keysDialog.showModal());
  }
  setCurrent(rows()[0] || null);
})();
