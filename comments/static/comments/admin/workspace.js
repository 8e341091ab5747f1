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
  let lastUndo = null; // {row, after, url, token, tab, order}
  let decisions = 0; // decisions started, in order: Undo takes back the last one pressed
  let overlapped = false; // answers came while others were out: counts to ask afresh
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
    const all = rows().filter((row) => !row.classList.contains("mq-busy"));
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

  // Answers may arrive out of turn, each with the counts of its moment: when
  // several were out at once, the page asks for the counts once all are in.
  async function settleCounts(data) {
    if (root.querySelector(".mq-busy")) return;
    if (!overlapped) return updateCounts(data);
    overlapped = false;
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.ok && (response.headers.get("Content-Type") || "").startsWith("application/json")) updateCounts(await response.json());
    } catch {
      /* the counts stay as they were; the next decision brings fresh ones */
    }
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    // A session that ended answers with the login page (a redirect, then HTML):
    // nothing was saved, and the moderator must hear so.
    const json = (response.headers.get("Content-Type") || "").startsWith("application/json");
    if (response.redirected || !json) {
      throw new Error("Nothing was saved: your session has ended. Reload the page and log in again.");
    }
    const data = await response.json();
    if (!response.ok) throw new Error(data.detail || `Nothing was saved: the server answered ${response.status}.`);
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
    if (row.classList.contains("mq-busy")) return; // one decision at a time per comment
    const body = new FormData(form, submitter);
    // Not form.action: the buttons named "action" shadow that property.
    const url = form.getAttribute("action");
    const order = ++decisions;
    if (root.querySelector(".mq-busy")) overlapped = true;
    // The next comment is current at once, so the keys go on while this one saves.
    row.classList.add("mq-busy");
    row.setAttribute("aria-busy", "true");
    if (row === current) {
      const all = rows().filter((other) => !other.classList.contains("mq-busy"));
      setCurrent(all.find((other) => row.compareDocumentPosition(other) & Node.DOCUMENT_POSITION_FOLLOWING) || all.at(-1) || null);
    }
    try {
      const data = await post(url, body);
      const after = row.nextElementSibling;
      row.remove();
      row.classList.remove("mq-busy");
      row.removeAttribute("aria-busy");
      if (!current) setCurrent(rows().find((other) => !other.classList.contains("mq-busy")) || null);
      emptyNotice();
      settleCounts(data);
      if (data.undo && (!lastUndo || order > lastUndo.order)) {
        lastUndo = { row, after, url, order, token: data.undo, tab: root.dataset.tab, csrf: body.get("csrfmiddlewaretoken") };
        showToast(data.message, true);
      }
    } catch (error) {
      row.classList.remove("mq-busy");
      row.removeAttribute("aria-busy");
      setCurrent(row);
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
