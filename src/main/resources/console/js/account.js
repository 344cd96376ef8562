// Signing up, in and out; email verification, resend, forgotten and reset passwords.

import {h, append, field, when} from './dom.js';
import {api, session} from './api.js';
import {page, form, section, button, messageBox, run, link} from './ui.js';
import {signedIn, signedOut} from './app.js';
import {PENDING_INVITE} from './orgs.js';

function email(autocomplete) {
  return h('input', {type: 'email', name: 'email', required: true, maxlength: 254, autocomplete: autocomplete || 'email'});
}

function password(autocomplete) {
  return h('input', {type: 'password', name: 'password', required: true, maxlength: 1024, autocomplete});
}

function nextLink(ctx, target, label) {
  const next = ctx.params.get('next');
  return link(next ? `${target}?next=${encodeURIComponent(next)}` : target, label);
}

export function signIn(main, ctx) {
  const mail = email('username');
  const pass = password('current-password');
  page(main, 'Sign in');
  if (ctx.params.get('ended')) {
    const box = messageBox();
    box.warn('Your session ended. Sign in again.');
    append(main, box.el);
  }
  if (ctx.invited) {
    append(main, h('p', {class: 'notice'}, 'You were invited to an organization. Sign in, or create an account, '
      + 'with the invited address; once the address is verified, the invite link lets you join.'));
  }
  append(main, form({'aria-label': 'Sign in'}, [
    field('Email', mail),
    field('Password', pass),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Sign in')),
  ], async () => {
    const s = await api('POST', '/auth/login', {email: mail.value.trim(), password: pass.value});
    signedIn(s.token);
    ctx.go(ctx.safeNext(ctx.params.get('next')));
  }, 'Signing in…'));
  append(main, h('p', null, 'No account yet? ', nextLink(ctx, '#/signup', 'Create one'), '. ',
    link('#/forgot', 'Forgot your password?')));
}

export function signUp(main, ctx) {
  const mail = email();
  const pass = password('new-password');
  const name = h('input', {type: 'text', name: 'display_name', maxlength: 100, autocomplete: 'name'});
  page(main, 'Create an account');
  append(main, form({'aria-label': 'Create an account'}, [
    field('Email', mail, 'We send a link to prove the address is yours.'),
    field('Password', pass, 'At least 8 characters; a long phrase is best.'),
    field('Display name (optional)', name),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Create account')),
  ], async () => {
    const body = {email: mail.value.trim(), password: pass.value};
    if (name.value.trim()) {
      body.display_name = name.value.trim();
    }
    const s = await api('POST', '/auth/register', body);
    signedIn(s.token);
    ctx.go(ctx.safeNext(ctx.params.get('next')));
  }, 'Creating your account…'));
  append(main, h('p', null, 'Already registered? ', nextLink(ctx, '#/signin', 'Sign in'), '.'));
}

export function forgot(main) {
  const mail = email();
  page(main, 'Forgot your password?', 'We mail a link that sets a new password. It works once and expires.');
  const f = form({'aria-label': 'Ask for a reset link'}, [
    field('Email', mail),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Mail me a link')),
  ], async () => {
    await api('POST', '/auth/password/forgot', {email: mail.value.trim()});
    return 'If the address has an account, a mail with a reset link is on its way.';
  }, 'Sending…');
  append(main, f, h('p', null, link('#/signin', 'Back to sign in')));
}

export function reset(main, ctx) {
  const token = ctx.params.get('token') || '';
  const pass = password('new-password');
  page(main, 'Set a new password');
  if (!token) {
    append(main, h('p', {class: 'msg error', role: 'alert'}, 'This page needs the link from the reset mail.'));
    return;
  }
  append(main, form({'aria-label': 'Set a new password'}, [
    field('New password', pass, 'At least 8 characters. Every session of the account ends.'),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Set password')),
  ], async () => {
    await api('POST', '/auth/password/reset', {token, password: pass.value});
    signedOut();
    return 'Your password is changed. Sign in with the new one.';
  }, 'Saving…'), h('p', null, link('#/signin', 'Sign in')));
}

export async function verify(main, ctx) {
  const token = ctx.params.get('token') || '';
  const box = messageBox();
  page(main, 'Verify your email address', box.el);
  if (!token) {
    box.error('This page needs the link from the verification mail.');
    return;
  }
  const ok = await run(box, () => api('POST', '/auth/verify', {token}), 'Checking the link…');
  if (ok) {
    box.ok(`${ok.email} is verified.`);
    const invite = sessionStorage.getItem(PENDING_INVITE);
    append(main, h('p', null, invite && /^#\/invite\//.test(invite) ? link(invite, 'Back to your invite')
      : link(session.token ? '#/account' : '#/signin', 'Continue')));
  }
}

export async function profile(main, ctx) {
  const box = messageBox();
  page(main, 'Account', box.el);
  const me = await run(box, () => ctx.refreshMe(), 'Loading your account…');
  if (!me) {
    return;
  }
  const resendBox = messageBox();
  const details = h('dl', null,
    h('dt', null, 'Email'), h('dd', null, me.email, ' ',
      h('span', {class: me.email_verified ? 'pill good' : 'pill bad'}, me.email_verified ? 'verified' : 'not verified')),
    h('dt', null, 'Display name'), h('dd', null, me.display_name || '—'),
    h('dt', null, 'User id'), h('dd', null, h('code', null, me.id)),
    h('dt', null, 'Member since'), h('dd', null, when(me.created_at)));
  append(main, section('Profile', details));
  if (!me.email_verified) {
    const resend = button('Mail me a new verification link', async () => {
      const sent = await run(resendBox, () => api('POST', '/auth/verify/resend'), 'Sending…', resend);
      if (sent) {
        resendBox.ok('A new link is on its way. It expires after a day.');
      }
    });
    append(main, section('Verify your address',
      h('p', null, 'Operator rights and some organization actions need a verified address.'), resend, resendBox.el));
  }
  const here = button('Sign out of this tab', () => {
    signedOut();
    ctx.go('#/signin');
  }, 'secondary');
  const everywhere = button('Sign out everywhere', async () => {
    const done = await run(outBox, () => api('POST', '/auth/logout'), 'Ending every session…', everywhere);
    if (done) {
      signedOut();
      ctx.go('#/signin');
    }
  }, 'danger');
  const outBox = messageBox();
  append(main, section('Session', h('p', {class: 'muted'},
    'The session is kept in this browser tab only and ends when the tab is closed. '
    + 'Signing out everywhere ends every session of the account on every device; API keys keep working.'),
  h('div', {class: 'actions'}, here, everywhere), outBox.el));
}
