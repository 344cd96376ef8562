// Threads and projects: browse and filter, a thread's relations, context tree and messages.

import {h, append, field, options, when} from './dom.js';
import {api} from './api.js';
import {pagedList} from './pager.js';
import {page, form, section, table, button, messageBox, run, link} from './ui.js';

const STATUSES = [['', 'any status'], ['active', 'active'], ['paused', 'paused'], ['done', 'done'], ['archived', 'archived']];

function threadLink(t) {
  return link(`#/threads/${encodeURIComponent(t.id)}`, t.title || t.id);
}

function threadTable(rows, empty) {
  return table([
    {label: 'Title', cell: threadLink},
    {label: 'Status', cell: (t) => h('span', {class: 'pill'}, t.status)},
    {label: 'Updated', cell: (t) => when(t.updated_at)},
  ], rows, empty, 'Threads');
}

export async function render(main, ctx) {
  if (ctx.rest[0]) {
    await detail(main, ctx, ctx.rest[0]);
    return;
  }
  page(main, 'Threads', 'Conversations kept on the server, with their summaries, relations and context trees.');
  const box = messageBox();
  const projectsBox = messageBox();
  const status = options(h('select', {name: 'status'}), STATUSES, ctx.params.get('status') || '');
  const project = h('select', {name: 'project'});
  const newProject = h('select', {name: 'new_project'});
  const text = h('input', {type: 'text', name: 'q', maxlength: 200, placeholder: 'words in the title'});

  // the project filter offers the projects loaded in the Projects list, and the one a link asked for
  let chosen = ctx.params.get('project') || '';
  let pinned = null;
  const projectChoices = (rows) => {
    const listed = pinned && !rows.some((p) => p.id === pinned.id) ? [pinned, ...rows] : rows;
    options(project, [['', 'any project'], ...listed.map((p) => [p.id, p.name])], chosen);
    options(newProject, [['', 'no project'], ...rows.map((p) => [p.id, p.name])], newProject.value);
  };
  const projects = pagedList({noun: 'projects', render: (rows) => {
    projectChoices(rows);
    return table([
      {label: 'Project', cell: (p) => link(`#/projects/${encodeURIComponent(p.id)}`, p.name)},
      {label: 'Slug', cell: (p) => h('code', null, p.slug)},
      {label: 'Description', cell: (p) => p.description || ''},
      {label: 'Updated', cell: (p) => when(p.updated_at)},
    ], rows, 'No projects yet.', 'Projects');
  }});
  projectChoices([]);

  const threads = pagedList({noun: 'threads', render: (rows, more) => {
    const needle = text.value.trim().toLowerCase();
    const shown = needle ? rows.filter((t) => (t.title || '').toLowerCase().includes(needle)) : rows;
    return threadTable(shown, needle && more ? 'No loaded thread matches: show more threads to search older ones.' : 'No threads match.');
  }});
  const load = () => run(box, () => threads.load('/v1/threads', {status: status.value, project_id: project.value}), 'Loading threads…');
  status.addEventListener('change', load);
  project.addEventListener('change', () => {
    chosen = project.value;
    load();
  });
  text.addEventListener('input', () => threads.redraw());

  const title = h('input', {type: 'text', name: 'title', maxlength: 200});
  const create = form({'aria-label': 'Start a thread'}, [
    field('Title', title),
    field('Project', newProject),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Start thread')),
  ], async () => {
    const body = {};
    if (title.value.trim()) {
      body.title = title.value.trim();
    }
    if (newProject.value) {
      body.project_id = newProject.value;
    }
    const t = await api('POST', '/v1/threads', body);
    ctx.go(`#/threads/${encodeURIComponent(t.id)}`);
  }, 'Creating…');

  append(main,
    section('Find threads', h('form', {class: 'inline', 'aria-label': 'Filter threads', onsubmit: (e) => e.preventDefault()},
      field('Status', status), field('Project', project),
      field('Title contains', text, 'Searches the threads loaded below.')), box.el, threads.el),
    section('Projects', projectsBox.el, projects.el),
    section('Start a thread', create));
  await run(projectsBox, () => projects.load('/v1/projects'), 'Loading projects…');
  if (chosen && !projects.rows.some((p) => p.id === chosen)) {
    pinned = await run(projectsBox, () => api('GET', `/v1/projects/${encodeURIComponent(chosen)}`), 'Loading the project…');
    projectChoices(projects.rows);
  }
  await load();
}

function refList(refs) {
  const items = refs.filter(Boolean);
  return items.length ? h('ul', null, items.map((r) => h('li', null, threadLink(r), ' ', h('span', {class: 'pill'}, r.status))))
    : h('span', {class: 'muted'}, 'none');
}

/**
 * A relation list of the thread's detail. The detail cuts every list at the same length and says
 * only that one was cut, so a list that may be cut offers to read it in full, page by page.
 */
function relationList(t, kind, noun, refs, cut) {
  const dd = h('dd', null, refList(refs));
  if (cut && refs.length) {
    const all = button(`Show all ${noun}`, async () => {
      const list = pagedList({noun, render: refList});
      const box = messageBox();
      dd.replaceChildren(box.el, list.el);
      if (await run(box, () => list.load(`/v1/threads/${encodeURIComponent(t.id)}/relations`, {kind}), `Loading ${noun}…`) === undefined) {
        dd.replaceChildren(refList(refs), box.el, all);
      }
    }, 'secondary');
    dd.append(all);
  }
  return dd;
}

/** The pages of a context tree as one forest: a page's root whose parent came earlier goes under it. */
function graft(pageRoots) {
  const byId = new Map();
  const roots = [];
  const copy = (n) => {
    const c = {...n, children: []};
    byId.set(c.id, c);
    for (const child of n.children || []) {
      c.children.push(copy(child));
    }
    return c;
  };
  for (const n of pageRoots) {
    const c = copy(n);
    const parent = n.parent_id ? byId.get(n.parent_id) : null;
    (parent ? parent.children : roots).push(c);
  }
  return roots;
}

function countNodes(nodes) {
  return (nodes || []).reduce((sum, n) => sum + 1 + countNodes(n.children), 0);
}

function tree(nodes) {
  if (!nodes || !nodes.length) {
    return null;
  }
  return h('ul', null, nodes.map((n) => h('li', null, h('strong', null, n.title || n.id),
    n.body ? [' — ', n.body] : null, tree(n.children))));
}

async function detail(main, ctx, id) {
  const box = messageBox();
  page(main, 'Thread', box.el);
  const t = await run(box, () => api('GET', `/v1/threads/${encodeURIComponent(id)}`), 'Loading the thread…');
  if (!t) {
    append(main, h('p', null, link('#/threads', 'All threads')));
    return;
  }
  main.querySelector('h1').textContent = t.title || t.id;
  document.title = `${t.title || t.id} · Chrysalis Forge`;
  const rel = t.relations;
  const contexts = pagedList({noun: 'contexts', count: countNodes, render: (roots) => h('div', {class: 'tree'},
    tree(graft(roots)) || h('p', {class: 'muted'}, 'No context nodes.'))})
    .seed(`/v1/threads/${encodeURIComponent(t.id)}/contexts`, {}, t.contexts, t.contexts_has_more ? t.contexts_next_cursor : null);
  append(main,
    h('p', {class: 'muted'}, h('span', {class: 'pill'}, t.status), ` · ${t.id} · updated ${when(t.updated_at)}`),
    t.summary ? section('Summary', h('p', null, t.summary)) : null,
    section('Relations', h('dl', null,
      h('dt', null, 'Continues from'), h('dd', null, refList([rel.continues_from])),
      h('dt', null, 'Continued by'), relationList(t, 'continued_by', 'threads that continue it', rel.continued_by, rel.has_more),
      h('dt', null, 'Parent'), h('dd', null, refList([rel.parent])),
      h('dt', null, 'Children'), relationList(t, 'children', 'child threads', rel.children, rel.has_more),
      h('dt', null, 'Related'), relationList(t, 'related', 'related threads', rel.related, rel.has_more))),
    section('Context tree', contexts.el));
  // sessions have no thread filter in the API: the thread's are picked from the caller's latest
  const blocks = new Map();
  const sessionsBox = messageBox();
  const sessions = pagedList({noun: 'sessions', limit: 200, render: (rows, more) => {
    const mine = rows.filter((s) => s.thread_id === t.id);
    if (!mine.length) {
      return h('p', {class: 'muted'}, more
        ? `No messages of yours in this thread among your ${rows.length} latest sessions.`
        : 'No messages of yours in this thread yet.');
    }
    return h('div', null, mine.map((s) => {
      if (!blocks.has(s.id)) {
        blocks.set(s.id, sessionBlock(s));
      }
      return blocks.get(s.id);
    }));
  }});
  append(main, section('Messages', sessionsBox.el, sessions.el));
  await run(sessionsBox, () => sessions.load('/v1/sessions'), 'Loading your sessions…');
}

/** A session's heading and its latest messages, which load on their own. */
function sessionBlock(s) {
  const sBox = messageBox();
  const chat = h('div', {class: 'chat'});
  run(sBox, () => api('GET', `/v1/sessions/${encodeURIComponent(s.id)}`), 'Loading messages…').then((full) => {
    if (!full) {
      return;
    }
    for (const m of full.messages) {
      chat.append(h('div', {class: `bubble ${m.role}`}, h('span', {class: 'who'}, `${m.role}${m.model ? ` · ${m.model}` : ''} · ${when(m.created_at)}`), m.content));
    }
    if (full.has_more_messages) {
      chat.append(h('p', {class: 'muted'}, 'Older messages are not shown.'));
    }
  });
  return h('div', null, h('h3', null, `Session ${s.title || s.id} (${s.status})`), sBox.el, chat);
}

/** #/projects/<id>: a project and its threads. */
export async function project(main, ctx) {
  const id = ctx.rest[0] || '';
  const box = messageBox();
  page(main, 'Project', box.el);
  const p = await run(box, () => api('GET', `/v1/projects/${encodeURIComponent(id)}`), 'Loading the project…');
  if (!p) {
    return;
  }
  main.querySelector('h1').textContent = p.name;
  append(main, p.description ? h('p', null, p.description) : null,
    section('Threads', threadTable(p.threads.data, 'No threads in this project.'),
      p.threads.has_more ? link(`#/threads?project=${encodeURIComponent(p.id)}`, 'All threads of this project') : null));
}
