// Page furniture shared by every page: headings, loading and error states, tables, confirmations.

import {h, clear} from './dom.js';

/** Starts a page: clears main, sets the title, moves focus to the heading for keyboard and screen-reader users. */
export function page(main, title, ...intro) {
  clear(main);
  document.title = `${title} · Chrysalis Forge`;
  const heading = h('h1', {tabindex: '-1'}, title);
  main.append(heading, ...intro.map((t) => (typeof t === 'string' ? h('p', {class: 'muted'}, t) : t)));
  heading.focus();
  return main;
}

/** A message area: loading, error (our error shape's message) or success, announced to screen readers. */
export function messageBox() {
  const el = h('div', {class: 'msg', role: 'status', 'aria-live': 'polite'});
  return {
    el,
    loading(text) {
      el.className = 'msg loading';
      el.setAttribute('role', 'status');
      el.textContent = text || 'Loading…';
    },
    error(err) {
      el.className = 'msg error';
      el.setAttribute('role', 'alert');
      el.textContent = err && err.message ? err.message : String(err);
    },
    ok(text) {
      el.className = 'msg ok';
      el.setAttribute('role', 'status');
      el.textContent = text;
    },
    warn(text) {
      el.className = 'msg warn';
      el.setAttribute('role', 'status');
      el.textContent = text;
    },
    clear() {
      el.className = 'msg';
      el.textContent = '';
    },
  };
}

/**
 * Runs an async step with a loading message and the error shown if it fails; the button (if
 * any) is disabled meanwhile. Resolves with the result, or undefined after an error.
 */
export async function run(box, work, loadingText, button) {
  box.loading(loadingText);
  if (button) {
    button.disabled = true;
  }
  try {
    const result = await work();
    box.clear();
    return result;
  } catch (err) {
    box.error(err);
    return undefined;
  } finally {
    if (button) {
      button.disabled = false;
    }
  }
}

/**
 * A form whose submit runs the handler with its own message box, keeping the page in place; a
 * string the handler resolves with is shown as the success message.
 */
export function form(props, children, onSubmit, loadingText) {
  const box = messageBox();
  const el = h('form', {...props, novalidate: false}, ...children, box.el);
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = el.querySelector('button[type="submit"]');
    const done = await run(box, () => onSubmit(box), loadingText || 'Working…', submit);
    if (typeof done === 'string') {
      box.ok(done);
    }
  });
  el.box = box;
  return el;
}

/** A table from column definitions {label, cell(row), num}; an empty note when there are no rows. */
export function table(columns, rows, empty, caption) {
  if (!rows.length) {
    return h('p', {class: 'muted'}, empty || 'Nothing here yet.');
  }
  return h('div', {class: 'table-wrap'}, h('table', null,
    caption ? h('caption', {class: 'sr-only'}, caption) : null,
    h('thead', null, h('tr', null, columns.map((c) => h('th', {scope: 'col', class: c.num ? 'num' : null}, c.label)))),
    h('tbody', null, rows.map((row) => h('tr', null,
      columns.map((c) => h('td', {class: c.num ? 'num' : null}, c.cell(row))))))));
}

export function button(label, onClick, cls) {
  return h('button', {type: 'button', class: cls || null, onclick: onClick}, label);
}

export function confirmed(question) {
  return window.confirm(question);
}

/** Copies text, falling back to selecting it when the clipboard API is not available. */
export function copyButton(input) {
  const b = button('Copy', async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      b.textContent = 'Copied';
    } catch (e) {
      input.select();
      b.textContent = 'Selected: press Ctrl+C';
    }
  }, 'secondary');
  return b;
}

export function link(href, text) {
  return h('a', {href}, text);
}

export function section(title, ...children) {
  return h('section', {class: 'card', 'aria-label': title}, h('h2', null, title), ...children);
}

/** The orgs a user belongs to, for scope pickers; personal first. */
export function scopeOptions(orgs, filter) {
  return [['', 'Personal'], ...orgs.filter(filter || (() => true)).map((o) => [o.id, `Organization: ${o.name}`])];
}
