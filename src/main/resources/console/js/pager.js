// Paged API lists: the first page, then a labelled "Show more" button that fetches the next page
// with the list's cursor (has_more / next_cursor) for as long as the server has more. Nothing is
// loaded that the person did not ask for, and nothing they might want is silently left out.

import {h, uid} from './dom.js';
import {api, qs} from './api.js';
import {messageBox, run} from './ui.js';

/** Rows per page when a list does not say (the API takes 1–200). */
export const PAGE_SIZE = 100;

/**
 * A list loaded page by page.
 *
 * render(rows, more) is called with every row loaded so far after each page (more: whether the
 * server has further pages): it returns the node to show (a table, filtered or not) or null when
 * it updated something of its own (a select). The returned `el` holds that node and, below it,
 * the "Show more <noun>" button with its own loading and error message and a note of how many
 * rows are loaded. `load(path, params)` starts over from the first page (a filter changed, a row
 * was deleted) and rejects with the API's error, for the page's own message box; a page still
 * arriving for an older load is dropped. count(rows) (default: their number) is what the note
 * counts, for pages of trees.
 */
export function pagedList({noun, render, limit, count}) {
  const view = h('div');
  const note = h('p', {class: 'muted more-note', tabindex: '-1', 'aria-live': 'polite', id: uid('more')});
  const box = messageBox();
  const more = h('button', {type: 'button', class: 'secondary more', 'aria-describedby': note.id}, `Show more ${noun}`);
  const bar = h('div', {class: 'more-bar'});
  let path = null;
  let params = {};
  let after = null;
  let rows = [];
  let generation = 0;

  function page(cursor) {
    return api('GET', path + qs({...params, limit: limit || PAGE_SIZE, after: cursor}));
  }

  const size = () => (count ? count(rows) : rows.length);

  function draw() {
    const shown = render(rows, Boolean(after));
    if (shown) {
      view.replaceChildren(shown);
    }
  }

  function drawBar(afterMore) {
    if (after) {
      note.textContent = `${size().toLocaleString()} ${noun} loaded; the server has more.`;
      bar.replaceChildren(note, h('div', {class: 'actions'}, more), box.el);
    } else {
      note.textContent = afterMore ? `All ${size().toLocaleString()} ${noun} are shown.` : '';
      bar.replaceChildren(note, box.el);
    }
  }

  more.addEventListener('click', async () => {
    const gen = generation;
    const hadFocus = document.activeElement === more;
    const next = await run(box, () => page(after), `Loading more ${noun}…`, more);
    if (gen !== generation) {
      return;
    }
    if (next) {
      rows = rows.concat(next.data || []);
      after = next.has_more && next.next_cursor ? next.next_cursor : null;
      draw();
      drawBar(true);
    }
    if (hadFocus) {
      // at the end the button is gone: keyboard users land on the note that says so
      (after ? more : note).focus();
    }
  });

  return {
    el: h('div', {class: 'paged'}, view, bar),
    get rows() {
      return rows;
    },
    /** Draws the loaded rows again (a filter over them changed). */
    redraw: draw,
    /** Starts from a first page that came inside another answer (a thread's first contexts). */
    seed(newPath, newParams, firstRows, cursor) {
      generation += 1;
      path = newPath;
      params = newParams || {};
      rows = firstRows || [];
      after = cursor || null;
      box.clear();
      draw();
      drawBar(false);
      return this;
    },
    async load(newPath, newParams) {
      generation += 1;
      const gen = generation;
      const [oldPath, oldParams] = [path, params];
      path = newPath;
      params = newParams || {};
      // no "Show more" of the previous list while its replacement is on the way
      bar.replaceChildren();
      box.clear();
      let first;
      try {
        first = await page(null);
      } catch (err) {
        if (gen === generation) {
          [path, params] = [oldPath, oldParams];
          drawBar(false);
        }
        throw err;
      }
      if (gen === generation) {
        rows = first.data || [];
        after = first.has_more && first.next_cursor ? first.next_cursor : null;
        draw();
        drawBar(false);
      }
      return rows;
    },
  };
}
