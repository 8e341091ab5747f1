// Approved comments, threaded, and the "Leave a Reply" form built from the
// API's OPTIONS description of the comment form.

import { getJSON, optionsOf, postJSON } from "./api.js";
import { apiPath, h, html, safeUrl, time } from "./dom.js";

const STORAGE_KEY = "rls_cms.commenter";
const REMEMBERED = ["name", "email", "website"];
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PAGE_SIZE = 200; // the API's ceiling: most articles fit in one request

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

// --- the thread -------------------------------------------------------------

function commentItem(comment, repliesOf, onReply, maxDepth, reportUrl) {
  // A reply to a comment at the deepest level would be refused: none offered.
  const canReply = onReply && (!maxDepth || comment.depth < maxDepth);
  const website = safeUrl(comment.website);
  const author = website ? h("a", { href: website, rel: "nofollow ugc noopener" }, comment.name) : comment.name;
  const replies = repliesOf.get(comment.id) || [];
  return h(
    "li",
    { id: `_comment-${comment.id}`, class: "comment" },
    h(
      "article",
      { "aria-label": `Comment by ${comment.name}` },
      h(
        "p",
        { class: "comment-meta" },
        h("strong", { class: "comment-author" }, author),
        comment.staff ? h("span", { class: "staff-badge" }, "Staff") : null,
        " · ",
        time(comment.submitted_at),
      ),
      html("div", comment.body_html, { class: "comment-body" }),
      h(
        "div",
        { class: "comment-actions" },
        canReply ? h("button", { type: "button", class: "reply", onclick: () => onReply(comment) }, `Reply to ${comment.name}`) : null,
        comment.staff ? null : reportControl(comment, reportUrl(comment)),
      ),
    ),
    replies.length
      ? h("ol", { class: "replies" }, replies.map((reply) => commentItem(reply, repliesOf, onReply, maxDepth, reportUrl)))
      : null,
  );
}

function thread(comments, onReply, maxDepth, reportUrl) {
  const repliesOf = new Map();
  const ids = new Set(comments.map((comment) => comment.id));
  const roots = [];
  for (const comment of comments) {
    if (comment.parent && ids.has(comment.parent)) {
      repliesOf.set(comment.parent, [...(repliesOf.get(comment.parent) || []), comment]);
    } else {
      roots.push(comment);
    }
  }
  return h("ol", { class: "comment-list" }, roots.map((comment) => commentItem(comment, repliesOf, onReply, maxDepth, reportUrl)));
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

// Start loading the comments and the form description (two requests, in
// parallel with the article's own).
export function fetchComments(url) {
  return Promise.all([getJSON(`${url}?page_size=${PAGE_SIZE}`), optionsOf(url)]).then(([list, options]) => ({
    url,
    list,
    options,
  }));
}

export function renderComments(section, summary, { url, list, options }) {
  const heading = h("h2", { id: "_comments" }, "Comments");
  const threadBox = h("div", { class: "thread" });
  const more = h("button", { type: "button", class: "more", hidden: true }, "More comments");
  let comments = [];
  let next = null;
  let form = null;
  const fields = options.ok ? options.data?.actions?.POST : null;
  // Reports go to the API root's comments/{id}/report/, beside articles/.
  const apiRoot = url.replace(/articles\/[^/]+\/comments\/$/, "");
  const reportUrl = (comment) => `${apiRoot}comments/${comment.id}/report/`;

  const showThread = () => {
    threadBox.replaceChildren(
      comments.length
        ? thread(comments, summary.open && form ? form.setParent : null, fields?.parent?.max_depth, reportUrl)
        : h("p", { class: "no-comments" }, "No comments yet. Why don’t you start the discussion?"),
    );
    more.hidden = !next;
  };
  const load = (page) => {
    comments = comments.concat(page.data.results);
    next = page.data.next ? apiPath(page.data.next) : null;
  };

  more.addEventListener("click", async () => {
    more.disabled = true;
    const page = await getJSON(next);
    if (page.ok) load(page);
    more.disabled = false;
    showThread();
  });

  if (summary.open && fields) {
    form = buildForm(fields, url, {
      onPosted: async () => {
        const page = await getJSON(`${url}?page_size=${PAGE_SIZE}`);
        if (page.ok) {
          comments = [];
          load(page);
          showThread();
        }
      },
    });
  }

  let after;
  if (!summary.open) after = h("p", { class: "comments-closed" }, "Comments are closed.");
  else if (!form) after = h("p", { class: "comments-closed" }, "The comment form could not be loaded. Please reload the page.");
  else after = form.form;

  if (list.ok) {
    load(list);
    showThread();
  } else {
    threadBox.replaceChildren(h("p", {}, "The comments could not be loaded. Please reload the page."));
  }
  section.replaceChildren(heading, threadBox, more, after);
}
