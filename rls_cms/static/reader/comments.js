// What the comments need a script for. The server's page shows the approved
// comments already; this adds the "Leave a Reply" form (built from the API's
// OPTIONS description of it), a Reply and a Report control on each comment,
// and loads more comments, or the thread again, as the server renders them.

import { optionsOf, postJSON } from "./api.js";
import { h } from "./dom.js";

const STORAGE_KEY = "rls_cms.commenter";
const REMEMBERED = ["name", "email", "website"];
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const REJECTIONS = {
  403: () => "Comments are closed for this article.",
  404: () => "This article is no longer available for comments.",
  409: () => "It looks as though you have already said that: this comment was posted before.",
  429: (retryAfter) =>
    retryAfter
      ? `You are posting comments too quickly. Please wait ${retryAfter} seconds and try again.`
      : "You are posting comments too quickly. Please wait a moment and try again.",
};

// Storage can be full or blocked; a comment must never fail because of it.
const storage = {
  read() {
    try {
      return JSON.parse(localStorage.getItem(STORAGE_KEY)) || null;
    } catch {
      return null;
    }
  },
  write(details) {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(details));
    } catch {
      /* not saved: the reader types them again next time */
    }
  },
  forget() {
    try {
      localStorage.removeItem(STORAGE_KEY);
    } catch {
      /* nothing stored that we could reach */
    }
  },
};

// --- reports -----------------------------------------------------------------

// The API's report reasons (CommentReport.Reason), in the reader's words.
const REPORT_REASONS = [
  ["spam", "Spam"],
  ["abuse", "Abuse or harassment"],
  ["misinformation", "Health misinformation"],
  ["personal_data", "Personal data"],
  ["other", "Something else"],
];
const REPORT_ANSWERS = {
  409: () => "You have reported this comment already. Thank you.",
  404: () => "This comment is no longer shown.",
  429: (retryAfter) =>
    retryAfter ? `Too many reports at once. Please wait ${retryAfter} seconds.` : "Too many reports at once. Please wait a moment.",
};

function reportControl(comment, reportUrl) {
  // comment: {id, name}, from the server's markup.
  const prefix = `_report-${comment.id}`;
  const status = h("p", { class: "report-status", role: "status", "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, "Send report");
  const note = h("textarea", { id: `${prefix}-note`, name: "note", rows: 2, maxlength: 500 });
  const form = h(
    "form",
    { class: "report-form", novalidate: true },
    h(
      "fieldset",
      {},
      h("legend", {}, "Why should a moderator look at this comment?"),
      REPORT_REASONS.map(([value, label]) =>
        h(
          "p",
          { class: "report-reason" },
          h("input", { type: "radio", name: "reason", value, id: `${prefix}-${value}`, required: true }),
          h("label", { for: `${prefix}-${value}` }, label),
        ),
      ),
    ),
    h("p", {}, h("label", { for: `${prefix}-note` }, "Anything else the moderators should know (optional)"), note),
    h("p", {}, submit),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reason = form.elements.reason.value;
    if (!reason) {
      // No reason is chosen for the reader: a default would skew what moderators see.
      status.textContent = "Choose why a moderator should look at it.";
      form.querySelector('input[name="reason"]').focus();
      return;
    }
    status.textContent = "";
    submit.disabled = true;
    try {
      const response = await postJSON(reportUrl, { reason, note: note.value.trim() });
      if (response.status === 201) {
        form.replaceChildren(h("p", { class: "report-thanks", role: "status" }, response.data.message));
        return;
      }
      const answer = REPORT_ANSWERS[response.status];
      if (answer) status.textContent = answer(response.headers.get("Retry-After"));
      else if (response.status === 400 && response.data) status.textContent = Object.values(response.data).flat().join(" ");
      else status.textContent = "The report could not be sent. Please try again.";
    } catch {
      status.textContent = "The report could not be sent. Check your connection and try again.";
    } finally {
      submit.disabled = false;
    }
  });
  return h("details", { class: "report" }, h("summary", {}, "Report", h("span", { class: "visually-hidden" }, ` the comment by ${comment.name}`)), form);
}

// --- the form ----------------------------------------------------------------

function fieldControl(name, info) {
  const id = `_comment-${name}`;
  const attrs = {
    id,
    name,
    required: info.required,
    maxlength: info.max_length,
    "aria-describedby": `${id}-error`,
  };
  if (name === "body") return h("textarea", { ...attrs, rows: 8 });
  const type = { email: "email", url: "url" }[info.type] || "text";
  const autocomplete = { name: "name", email: "email", website: "url" }[name] || "off";
  return h("input", { ...attrs, type, autocomplete });
}

function fieldRow(name, info) {
  const id = `_comment-${name}`;
  return h(
    "p",
    { class: `field field-${name}` },
    h("label", { for: id }, info.label, info.required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null),
    fieldControl(name, info),
    h("span", { id: `${id}-error`, class: "field-error" }),
  );
}

function honeypotRow(name, info) {
  // Hidden from people and from assistive technology; bots fill it in.
  return h(
    "div",
    { class: "hp", hidden: true, "aria-hidden": "true" },
    h("label", { for: `_comment-${name}` }, info.label),
    h("input", { id: `_comment-${name}`, name, type: "text", tabindex: "-1", autocomplete: "off" }),
  );
}

function buildForm(fields, commentsUrl, { onPosted }) {
  const entries = Object.entries(fields);
  const honeypot = entries.find(([, info]) => info.honeypot);
  const visible = entries.filter(([name, info]) => !info.honeypot && name !== "parent");
  const privacy = fields.email?.help_text || "";

  const status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
  // Shown at once, above everything else, when a comment speaks of crisis.
  const support = h("div", { class: "support", role: "alert", hidden: true });
  const submit = h("button", { type: "submit" }, "Post Comment");
  const save = h("input", { id: "_comment-save", type: "checkbox", name: "save" });
  const replyingTo = h("p", { id: "_replying-to", class: "replying-to", hidden: true });
  const form = h(
    "form",
    { class: "comment-form", novalidate: true, "aria-labelledby": "_reply" },
    h("h3", { id: "_reply" }, "Leave a Reply"),
    h("p", { class: "form-notes" }, `${privacy} Required fields are marked `, h("span", { class: "required" }, "*")),
    replyingTo,
    visible.map(([name, info]) => fieldRow(name, info)),
    honeypot ? honeypotRow(...honeypot) : null,
    h(
      "p",
      { class: "field-save" },
      save,
      h("label", { for: "_comment-save" }, "Save my name, email, and website in this browser for the next time I comment."),
    ),
    h("p", {}, submit),
    status,
  );
  form.prepend(support);

  // Announced by screen readers even when the same sentence comes twice.
  const announce = (text) => {
    status.textContent = "";
    if (text) setTimeout(() => (status.textContent = text), 50);
  };

  const bodyField = form.elements.body;
  bodyField?.setAttribute("aria-describedby", `${bodyField.getAttribute("aria-describedby")} _replying-to`);

  let parent = null;
  const setParent = (comment) => {
    parent = comment ? comment.id : null;
    replyingTo.replaceChildren();
    replyingTo.hidden = !comment;
    if (comment) {
      replyingTo.append(
        `Replying to ${comment.name}. `,
        h("button", { type: "button", class: "cancel-reply", onclick: () => (setParent(null), bodyField?.focus()) }, "Cancel reply"),
      );
      bodyField?.focus();
    }
  };

  const stored = storage.read();
  if (stored) {
    for (const name of REMEMBERED) if (form.elements[name] && stored[name]) form.elements[name].value = stored[name];
    save.checked = true;
  }
  // Unticking the box forgets at once.
  save.addEventListener("change", () => save.checked || storage.forget());

  const showErrors = (errors) => {
    let first = null;
    for (const [name] of visible) {
      const input = form.elements[name];
      const message = errors[name] ? [].concat(errors[name]).join(" ") : "";
      form.querySelector(`#_comment-${name}-error`).textContent = message;
      if (message) {
        input.setAttribute("aria-invalid", "true");
        first ||= input;
      } else {
        input.removeAttribute("aria-invalid");
      }
    }
    first?.focus();
    return Boolean(first);
  };

  const clientErrors = () => {
    const errors = {};
    for (const [name, info] of visible) {
      const value = form.elements[name].value.trim();
      if (info.required && !value) errors[name] = `Please fill in ${info.label}.`;
      else if (name === "email" && value && !EMAIL_RE.test(value)) errors[name] = "Please enter a valid email address.";
    }
    return errors;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    announce("");
    if (showErrors(clientErrors())) {
      announce("Please correct the marked fields.");
      return;
    }
    const body = {};
    for (const [name] of visible) body[name] = form.elements[name].value.trim();
    if (honeypot) body[honeypot[0]] = form.elements[honeypot[0]].value;
    if (parent) body.parent = parent;

    submit.disabled = true;
    submit.textContent = "Posting…";
    form.setAttribute("aria-busy", "true");
    try {
      const response = await postJSON(commentsUrl, body);
      support.hidden = !response.data?.support;
      support.replaceChildren(response.data?.support ? h("p", {}, response.data.support) : "");
      if (response.status === 201) {
        // Stored only when the reader ticked the box.
        const keep = save.checked;
        const details = Object.fromEntries(REMEMBERED.map((name) => [name, body[name] || ""]));
        if (keep) storage.write(details);
        else storage.forget();
        form.reset();
        if (keep) {
          for (const name of REMEMBERED) if (form.elements[name]) form.elements[name].value = details[name];
          save.checked = true;
        }
        setParent(null);
        showErrors({});
        announce(response.data.message);
        if (response.data.status === "approved") onPosted();
      } else if (response.status === 400 && response.data) {
        showErrors(response.data);
        const general = response.data.non_field_errors || response.data.detail || response.data.parent;
        announce(general ? [].concat(general).join(" ") : "Please correct the marked fields.");
      } else if (REJECTIONS[response.status]) {
        announce(REJECTIONS[response.status](response.headers.get("Retry-After")));
      } else {
        announce("Your comment could not be sent. Please try again.");
      }
    } catch {
      announce("Your comment could not be sent. Check your connection and try again.");
    } finally {
      const hadFocus = document.activeElement === submit || document.activeElement === document.body;
      submit.disabled = false;
      submit.textContent = "Post Comment";
      form.removeAttribute("aria-busy");
      // Disabling the focused button dropped focus to the page: give it back.
      if (hadFocus) submit.focus();
    }
  });

  return { form, setParent };
}

// --- the whole section ---------------------------------------------------------

// The page at this address as the server renders it now (the kept page is
// dropped whenever a comment is approved, so this is current).
async function serverPage(address) {
  const response = await fetch(address, { headers: { Accept: "text/html" }, credentials: "same-origin", cache: "no-cache" });
  if (!response.ok) throw new Error(`${response.status}`);
  return new DOMParser().parseFromString(await response.text(), "text/html");
}

export async function enhanceComments(section) {
  const url = section.dataset.commentsUrl;
  const open = section.hasAttribute("data-open");
  // Reports go to the API root's comments/{id}/report/, beside articles/.
  const apiRoot = url.replace(/articles\/[^/]+\/comments\/$/, "");
  const reportUrl = (comment) => `${apiRoot}comments/${comment.id}/report/`;
  let form = null;
  let maxDepth = null;
  // The server's page holding the newest comments shown: a comment approved
  // at once is on it (the thread is oldest first).
  let lastPage = location.pathname + location.search;

  // Report on each comment the server rendered, and Reply once there is a
  // form to reply with (each once).
  const enhance = (root) => {
    for (const item of root.querySelectorAll("li.comment")) {
      const comment = { id: Number(item.dataset.commentId), name: item.dataset.name };
      const actions = item.querySelector(":scope > article > .comment-actions");
      if (!item.hasAttribute("data-report-added")) {
        item.setAttribute("data-report-added", "");
        if (!item.hasAttribute("data-staff")) actions.append(reportControl(comment, reportUrl(comment)));
      }
      if (form && !item.hasAttribute("data-reply-added")) {
        item.setAttribute("data-reply-added", "");
        // A reply to a comment at the deepest level would be refused: none offered.
        if (!maxDepth || Number(item.dataset.depth) < maxDepth) {
          actions.prepend(h("button", { type: "button", class: "reply", onclick: () => form.setParent(comment) }, `Reply to ${comment.name}`));
        }
      }
    }
  };

  // The comments of another server page that this one lacks, each under its
  // parent when the parent is here (a reply can land on a later page than
  // what it answers). Returns the first one added.
  const merge = (page) => {
    let first = null;
    let list = section.querySelector(".thread .comment-list");
    for (const item of page.querySelectorAll("section.comments li.comment")) {
      if (document.getElementById(item.id)) continue;
      const parentItem = item.parentElement.closest("li.comment");
      const parentId = parentItem ? parentItem.id : item.dataset.parent ? `_comment-${item.dataset.parent}` : null;
      const parent = parentId ? document.getElementById(parentId) : null;
      let target;
      if (parent) {
        target = parent.querySelector(":scope > ol.replies");
        if (!target) parent.append((target = h("ol", { class: "replies" })));
      } else {
        if (!list) section.querySelector(".thread").replaceChildren((list = h("ol", { class: "comment-list" })));
        target = list;
      }
      // Moved alone: its replies come in their own turn of the loop.
      const copy = document.importNode(item, true);
      copy.querySelector(":scope > ol.replies")?.remove();
      target.append(copy);
      first ||= copy;
    }
    section.querySelector("#_comments").replaceWith(document.importNode(page.querySelector("section.comments #_comments"), true));
    return first;
  };

  // "More comments": the next page's comments added in place, not a new page.
  const wireMore = () => {
    const link = section.querySelector("a.more-comments");
    if (!link || link.dataset.wired) return;
    link.dataset.wired = "true";
    let busy = false;
    link.addEventListener("click", async (event) => {
      event.preventDefault();
      if (busy) return; // a second click while loading would add the page twice
      busy = true;
      link.setAttribute("aria-disabled", "true");
      try {
        const address = link.href;
        const next = await serverPage(address);
        lastPage = address;
        const first = merge(next);
        enhance(section);
        const further = next.querySelector("section.comments a.more-comments");
        if (further) link.href = further.href;
        else link.closest(".more-link").remove();
        // The reader goes on where the new comments start.
        if (first) {
          first.setAttribute("tabindex", "-1");
          first.focus();
        }
      } catch {
        link.textContent = "More comments (could not load: try again)";
      } finally {
        busy = false;
        link.removeAttribute("aria-disabled");
      }
    });
  };

  // After a comment is approved at once: the newest page again, as the server shows it now.
  const refresh = async () => {
    try {
      merge(await serverPage(lastPage));
      enhance(section);
    } catch {
      /* the comment is saved; the reader sees it on the next visit */
    }
  };

  // What needs no request comes first: a failed request below takes none of it away.
  wireMore();
  enhance(section);
  if (!open) return;
  let fields = null;
  try {
    const options = await optionsOf(url);
    fields = options.ok ? options.data?.actions?.POST : null;
  } catch {
    fields = null;
  }
  if (!fields) {
    section.append(h("p", { class: "comments-closed" }, "The comment form could not be loaded. Please reload the page."));
    return;
  }
  form = buildForm(fields, url, { onPosted: refresh });
  maxDepth = fields.parent?.max_depth;
  section.append(form.form);
  enhance(section); // now with Reply
}
