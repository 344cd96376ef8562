// The playground: chat with any listed model through /v1/chat/completions, streamed.

import {h, append, field, options, number} from './dom.js';
import {api, streamChat} from './api.js';
import {page, section, button, messageBox, run} from './ui.js';

export async function render(main) {
  page(main, 'Playground', 'Chat with any model this server lists, through the same API your programs use. Calls count towards your quota.');
  const box = messageBox();
  append(main, box.el);
  const models = await run(box, () => api('GET', '/v1/models'), 'Loading models…');
  if (!models) {
    return;
  }
  const ids = models.data.map((m) => m.id).sort();
  const model = options(h('select', {name: 'model', id: 'model'}), ids, ids.includes('gpt-4o-mini') ? 'gpt-4o-mini' : ids[0]);
  const system = h('textarea', {name: 'system', rows: 2, maxlength: 20000, placeholder: 'You are a helpful assistant.'});
  const prompt = h('textarea', {name: 'prompt', id: 'prompt', rows: 4, required: true, maxlength: 100000});
  const chat = h('div', {class: 'chat', 'aria-live': 'polite', id: 'transcript'});
  const stats = h('p', {class: 'muted', id: 'chat-usage'});
  const history = [];
  let controller = null;

  const send = h('button', {type: 'submit', id: 'send'}, 'Send');
  const stop = button('Stop', () => controller && controller.abort(), 'secondary');
  stop.disabled = true;
  const reset = button('New conversation', () => {
    history.length = 0;
    chat.replaceChildren();
    stats.textContent = '';
    box.clear();
  }, 'secondary');

  const f = h('form', {'aria-label': 'Send a message'},
    field('Model', model),
    field('System message (optional)', system),
    field('Message', prompt, 'Ctrl+Enter sends.'),
    h('div', {class: 'actions'}, send, stop, reset));
  prompt.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      f.requestSubmit();
    }
  });
  f.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = prompt.value.trim();
    if (!text) {
      box.error('Write a message first.');
      return;
    }
    history.push({role: 'user', content: text});
    chat.append(h('div', {class: 'bubble user'}, h('span', {class: 'who'}, 'You'), text));
    const answer = h('span', {class: 'answer'});
    const bubble = h('div', {class: 'bubble assistant'}, h('span', {class: 'who'}, model.value), answer);
    chat.append(bubble);
    prompt.value = '';
    send.disabled = true;
    stop.disabled = false;
    box.loading('The model is answering…');
    controller = new AbortController();
    const messages = system.value.trim() ? [{role: 'system', content: system.value.trim()}, ...history] : [...history];
    try {
      const done = await streamChat({model: model.value, messages, stream_options: {include_usage: true}},
        (piece) => { answer.textContent += piece; }, controller.signal);
      history.push({role: 'assistant', content: answer.textContent});
      box.clear();
      bubble.setAttribute('data-done', 'true');
      if (done.usage) {
        stats.textContent = `Last answer: ${number(done.usage.prompt_tokens)} tokens in, ${number(done.usage.completion_tokens)} out.`;
      }
    } catch (err) {
      history.pop();
      if (err.name === 'AbortError') {
        box.warn('Stopped.');
      } else {
        box.error(err);
      }
      if (!answer.textContent) {
        bubble.remove();
      }
    } finally {
      controller = null;
      send.disabled = false;
      stop.disabled = true;
      prompt.focus();
    }
  });
  append(main, section('Conversation', chat, stats), f);
}
