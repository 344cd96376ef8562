// The console's entry: a hash router (#/keys, #/orgs/<id>, #/invite/<id>?org=…, #/verify?token=…),
// the navigation and the signed-in user.

import {h, clear} from './dom.js';
import {api, session, onSignedOut} from './api.js';
import {page, messageBox} from './ui.js';
import * as account from './account.js';
import * as keys from './keys.js';
import * as providers from './providers.js';
import * as usage from './usage.js';
import * as plan from './plan.js';
import * as orgs from './orgs.js';
import * as threads from './threads.js';
import * as playground from './playground.js';
import * as admin from './admin.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const menu = document.getElementById('menu');

/** Pages anyone may open; every other page needs a session. */
const PUBLIC = {
  signin: account.signIn,
  signup: account.signUp,
  forgot: account.forgot,
  reset: account.reset,
  verify: account.verify,
};

const PAGES = {
  account: account.profile,
  keys: keys.render,
  providers: providers.render,
  usage: usage.render,
  plan: plan.render,
  orgs: orgs.render,
  invite: orgs.invite,
  threads: threads.render,
  projects: threads.project,
  playground: playground.render,
  admin: admin.render,
};

const MENU = [
  ['keys', 'API keys'],
  ['providers', 'Provider keys'],
  ['usage', 'Usage'],
  ['plan', 'Plan'],
  ['orgs', 'Organizations'],
  ['threads', 'Threads'],
  ['playground', 'Playground'],
  ['admin', 'Operators'],
  ['account', 'Account'],
];

let me = null;

/** #/a/b?x=1 → {name: 'a', rest: ['b'], params}. */
function parse() {
  const raw = location.hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  return {name: parts[0] || '', rest: parts.slice(1), params};
}

export function go(hash) {
  if (location.hash === hash) {
    route();
  } else {
    location.hash = hash;
  }
}

/** Only in-console targets are followed after signing in (no open redirect). */
export function safeNext(next) {
  return next && /^#\/[A-Za-z0-9/_?=&.%-]*$/.test(next) ? next : '#/keys';
}

function drawNav(current) {
  clear(nav);
  if (session.token) {
    for (const [name, label] of MENU) {
      nav.append(h('a', {href: `#/${name}`, 'aria-current': name === current ? 'page' : null}, label));
    }
    if (me) {
      nav.append(h('span', {class: 'who'}, me.email));
    }
  } else {
    nav.append(h('a', {href: '#/signin', 'aria-current': current === 'signin' ? 'page' : null}, 'Sign in'));
    nav.append(h('a', {href: '#/signup', 'aria-current': current === 'signup' ? 'page' : null}, 'Sign up'));
  }
}

async function route() {
  const r = parse();
  nav.classList.remove('open');
  menu.setAttribute('aria-expanded', 'false');
  const ctx = {params: r.params, rest: r.rest, go, safeNext, me: () => me, refreshMe};
  if (PUBLIC[r.name]) {
    drawNav(r.name);
    await PUBLIC[r.name](main, ctx);
    return;
  }
  if (!session.token) {
    const next = r.name ? location.hash : '';
    drawNav('signin');
    await account.signIn(main, {...ctx, params: new URLSearchParams(next ? {next} : {}), invited: r.name === 'invite'});
    return;
  }
  if (!me) {
    const box = messageBox();
    drawNav(r.name);
    page(main, 'Chrysalis Forge', box.el);
    box.loading('Loading your account…');
    try {
      await refreshMe();
    } catch (err) {
      if (!session.token) {
        return;
      }
      box.error(err);
      main.append(h('button', {type: 'button', onclick: route}, 'Try again'));
      return;
    }
  }
  const name = PAGES[r.name] ? r.name : 'keys';
  drawNav(name === 'projects' ? 'threads' : name === 'invite' ? 'orgs' : name);
  await PAGES[name](main, ctx);
}

async function refreshMe() {
  me = await api('GET', '/users/me');
  return me;
}

onSignedOut(() => {
  me = null;
  go('#/signin?ended=1');
});

export function signedIn(token) {
  session.set(token);
  me = null;
}

export function signedOut() {
  session.clear();
  me = null;
}

menu.addEventListener('click', () => {
  const open = nav.classList.toggle('open');
  menu.setAttribute('aria-expanded', String(open));
});
window.addEventListener('hashchange', route);
route();
