// The reader: a list of articles at /, an article at /articles/<slug>/.
// Everything shown comes from the public API; links are real URLs, so they
// can be shared, and back/forward work through the History API.

import { getJSON } from "./api.js";
import { renderArticle } from "./article.js";
import { h } from "./dom.js";

const main = document.getElementById("main");
const API_ROOT = main.dataset.apiRoot; // /api/v1/articles/
const ARTICLE_PATH = /^\/articles\/([\w-]+)\/?$/;

function show(...nodes) {
  main.replaceChildren(...nodes);
}

function showMessage(title, text) {
  document.title = `${title} · rls_cms`;
  show(h("h1", {}, title), h("p", {}, text), h("p", {}, h("a", { href: "/", "data-route": true }, "All articles")));
}

function articleItem(article) {
  const path = `/articles/${article.slug}/`;
  return h(
    "li",
    { class: "article-item" },
    h("h2", {}, h("a", { href: path, "data-route": true }, article.title)),
    h(
      "p",
      { class: "meta" },
      article.byline ? `${article.byline} · ` : "",
      h("time", { datetime: article.published_at }, new Date(article.published_at).toLocaleDateString("en", { dateStyle: "long" })),
      ` · ${article.comment_count} ${article.comment_count === 1 ? "comment" : "comments"}`,
    ),
  );
}

async function renderList() {
  document.title = "Articles · rls_cms";
  const { ok, data } = await getJSON(API_ROOT);
  if (!ok) return showMessage("Articles are unavailable", "The list could not be loaded. Please try again later.");
  const list = h("ul", { class: "article-list" }, data.results.map(articleItem));
  const nodes = [h("h1", {}, "Articles"), list];
  if (!data.results.length) nodes.push(h("p", {}, "No articles have been published yet."));
  let next = data.next;
  const more = h("button", { type: "button", class: "more" }, "More articles");
  more.addEventListener("click", async () => {
    more.disabled = true;
    const page = await getJSON(next);
    if (page.ok) {
      list.append(...page.data.results.map(articleItem));
      next = page.data.next;
    }
    more.disabled = false;
    more.hidden = !next;
  });
  more.hidden = !next;
  nodes.push(more);
  show(...nodes);
}

async function route({ focus = false } = {}) {
  shownPath = location.pathname;
  const match = location.pathname.match(ARTICLE_PATH);
  if (match) {
    await renderArticle(main, `${API_ROOT}${match[1]}/`, { showMessage });
  } else if (location.pathname === "/") {
    await renderList();
  } else {
    showMessage("Page not found", "There is nothing at this address.");
  }
  if (location.hash) {
    document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
  } else if (focus) {
    // A new page for screen readers: move focus to its heading.
    window.scrollTo(0, 0);
    main.querySelector("h1")?.setAttribute("tabindex", "-1");
    main.querySelector("h1")?.focus();
  }
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-route]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  if (link.pathname !== location.pathname) history.pushState({}, "", link.href);
  route({ focus: true });
});

let shownPath = location.pathname;

window.addEventListener("popstate", () => {
  // Back from a table-of-contents jump stays on the same page: just scroll.
  if (location.pathname === shownPath) {
    if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
    else window.scrollTo(0, 0);
    return;
  }
  route({ focus: true });
});

route();
