/** A few DOM helpers: text goes in as text, and only the server's sanitised HTML goes in as HTML. */

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) {
      continue;
    }
    element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
  return element;
}

/** Replaces an element's content, skipping the parts left out. */
export function fill(element: HTMLElement, ...children: Child[]): void {
  element.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}

/**
 * Kiosque renders Markdown to HTML and sanitises it (ammonia) before it
 * leaves the server: `body_html` and comments' `body_html` are safe to insert.
 */
export function sanitizedHtml(tag: "div", className: string, html: string): HTMLDivElement {
  const element = h(tag, { class: className });
  element.innerHTML = html;
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) {
    throw new Error(`#${id} is missing from the page`);
  }
  return element as T;
}

const dateTime = new Intl.DateTimeFormat("fr-FR", {
  day: "numeric",
  month: "long",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "Europe/Paris",
});
const dayOnly = new Intl.DateTimeFormat("fr-FR", {
  weekday: "long",
  day: "numeric",
  month: "long",
  timeZone: "Europe/Paris",
});
const hourOnly = new Intl.DateTimeFormat("fr-FR", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Paris" });

/** "1 décembre 2026 à 14:05" */
export function frenchDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** "mardi 8 décembre" */
export function frenchDay(iso: string): string {
  return dayOnly.format(new Date(iso));
}

/** "14:05" */
export function frenchHour(iso: string): string {
  return hourOnly.format(new Date(iso));
}

export function time(iso: string, text: string): HTMLTimeElement {
  return h("time", { datetime: iso }, text);
}
