// API keys: create (the full key shown once), list, delete.

import {h, append, field, when} from './dom.js';
import {api} from './api.js';
import {pagedList} from './pager.js';
import {page, form, section, table, button, confirmed, copyButton, messageBox, run} from './ui.js';

const SCOPES = [
  ['chat', 'chat: call models'],
  ['read', 'read: read account data'],
  ['write', 'write: change account data'],
  ['keys', 'keys: manage API and provider keys'],
  ['*', '* (everything)'],
];

export async function render(main) {
  page(main, 'API keys', 'Keys let programs call this API (OpenAI clients send them as Authorization: Bearer chs_…).');
  const created = h('div');
  const listBox = messageBox();
  const list = h('div');

  const name = h('input', {type: 'text', name: 'name', required: true, maxlength: 100, value: 'My key'});
  const scopeBoxes = SCOPES.map(([value, label]) => {
    const box = h('input', {type: 'checkbox', name: 'scope', value, checked: value === 'chat' || value === 'read'});
    return h('label', null, box, ' ', label);
  });
  const expiry = h('input', {type: 'date', name: 'expires'});

  const createForm = form({'aria-label': 'Create an API key'}, [
    field('Name', name),
    h('fieldset', null, h('legend', null, 'Scopes'), scopeBoxes),
    field('Expires (optional)', expiry, 'The key stops working at the end of this day (UTC). Empty = never.'),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Create key')),
  ], async () => {
    const scopes = scopeBoxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
    if (!scopes.length) {
      throw new Error('Choose at least one scope.');
    }
    const body = {name: name.value.trim(), scopes};
    if (expiry.value) {
      body.expires_at = `${expiry.value}T23:59:59Z`;
    }
    const key = await api('POST', '/api-keys', body);
    showOnce(created, key);
    await load();
    return undefined;
  }, 'Creating…');

  append(main, created, section('Create a key', createForm), section('Your keys', listBox.el, list));

  const keys = pagedList({noun: 'keys', render: (rows) => table([
    {label: 'Name', cell: (k) => k.name},
    {label: 'Prefix', cell: (k) => h('code', null, `${k.prefix}…`)},
    {label: 'Scopes', cell: (k) => k.scopes.join(', ')},
    {label: 'Created', cell: (k) => when(k.created_at)},
    {label: 'Last used', cell: (k) => (k.last_used ? when(k.last_used) : 'never')},
    {label: 'Expires', cell: (k) => (k.expires_at ? when(k.expires_at) : 'never')},
    {label: 'Actions', cell: deleteButton},
  ], rows, 'No API keys yet.', 'API keys')});
  list.append(keys.el);

  function deleteButton(k) {
    const del = button('Delete', async () => {
      if (!confirmed(`Delete the key "${k.name}" (${k.prefix}…)? Programs using it stop working at once.`)) {
        return;
      }
      const ok = await run(listBox, () => api('DELETE', `/api-keys/${encodeURIComponent(k.id)}`), 'Deleting…', del);
      if (ok) {
        await load();
        listBox.ok(`Deleted "${k.name}".`);
      }
    }, 'danger');
    del.setAttribute('aria-label', `Delete key ${k.name}`);
    return del;
  }

  async function load() {
    await run(listBox, () => keys.load('/api-keys'), 'Loading keys…');
  }
  await load();
}

function showOnce(where, key) {
  const input = h('input', {type: 'text', readonly: true, value: key.key, 'aria-label': 'The new API key', id: 'new-api-key'});
  where.replaceChildren(h('section', {class: 'card notice', role: 'alert'},
    h('h2', null, `Your new key "${key.name}"`),
    h('p', null, h('strong', null, 'Copy it now: it is shown only this once. '),
      'The server keeps only a hash and cannot show it again; if it is lost, delete it and create another.'),
    h('div', {class: 'secret'}, input, copyButton(input)),
    button('I have copied it', () => where.replaceChildren(), 'secondary')));
  input.focus();
  input.select();
}
