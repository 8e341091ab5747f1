// Small DOM helpers: build elements from data, never from HTML strings.
// The only HTML inserted as such is what the API serves already sanitised
// (*_html fields), through html(). Ids the page itself uses start with "_":
// section anchors are slugs, which never do, so the two cannot collide.

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  element.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return element;
}

// Server-sanitised HTML (nh3 on the server) into a container element.
export function html(tag, sanitised, attrs = {}) {
  const element = h(tag, attrs);
  element.innerHTML = sanitised;
  return element;
}

const dateFormat = new Intl.DateTimeFormat("en", { dateStyle: "long" });

export function dateText(value) {
  if (!value) return "";
  // A bare date (YYYY-MM-DD) is a calendar day: read it as such, not as UTC midnight.
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00`) : new Date(value);
  return dateFormat.format(date);
}

export function time(value) {
  return h("time", { datetime: value }, dateText(value));
}

// A link target from the API, only if it is a web address: a javascript: or
// data: URL stored by any route must never become clickable.
export function safeUrl(value) {
  if (!value) return null;
  try {
    const url = new URL(value, location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

// An API link (next page, comments) as a path on this site: the API builds
// absolute URLs from the Host header, which a proxy may have rewritten.
export function apiPath(value) {
  const url = new URL(value, location.href);
  return url.pathname + url.search;
}

export function scrollToHash() {
  let id = "";
  try {
    id = decodeURIComponent(location.hash.slice(1));
  } catch {
    return; // a malformed fragment: nothing to scroll to
  }
  if (id) document.getElementById(id)?.scrollIntoView();
}
