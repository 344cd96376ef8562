// Building elements without HTML strings: text always goes in as text nodes, never as markup.

const SVG_NS = 'http://www.w3.org/2000/svg';
let ids = 0;

function build(el, props, children) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (key === 'class') {
      el.setAttribute('class', value);
    } else if (key === 'text') {
      el.textContent = String(value);
    } else if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'disabled') {
      el[key] = value;
    } else if (key === 'style') {
      throw new Error('inline styles are blocked by the Content-Security-Policy; use a class');
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** An HTML element: h('button', {class: 'x', onclick: fn}, 'text', child, …). */
export function h(tag, props, ...children) {
  return build(document.createElement(tag), props, children);
}

/** An SVG element (for charts). */
export function s(tag, props, ...children) {
  return build(document.createElementNS(SVG_NS, tag), props, children);
}

export function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

export function uid(prefix) {
  ids += 1;
  return `${prefix || 'f'}-${ids}`;
}

/** A labelled form field; the hint is tied to the input for screen readers. */
export function field(label, input, hint) {
  if (!input.id) {
    input.id = uid('f');
  }
  const hintEl = hint ? h('p', {class: 'hint', id: `${input.id}-hint`}, hint) : null;
  if (hintEl) {
    input.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', {class: 'field'}, h('label', {for: input.id}, label), input, hintEl);
}

export function options(select, items, selected) {
  clear(select);
  for (const item of items) {
    const [value, label] = Array.isArray(item) ? item : [item, item];
    select.append(h('option', {value, selected: value === selected}, label));
  }
  return select;
}

export function when(iso) {
  if (!iso) {
    return '—';
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function number(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString();
}

export function usd(n) {
  if (n === null || n === undefined) {
    return '—';
  }
  const v = Number(n);
  return `$${v < 0.01 && v > 0 ? v.toFixed(6) : v.toFixed(4)}`;
}
