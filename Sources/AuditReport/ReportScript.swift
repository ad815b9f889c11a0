/// The page's script: plain JavaScript, no libraries. It reads the inline data, fills the sample
/// browser (a virtualised list: only the rows in view exist in the DOM, so 20,000 samples stay
/// responsive), follows `#samples?…` links from the figures, and lets a heatmap show any figure.
/// Text from the data is only ever set as text, never parsed as HTML.
enum ReportScript {
    static let js = #"""
(function () {
  'use strict';
  var t0 = performance.now();
  var data = JSON.parse(document.getElementById('hearth-data').textContent);
  var runs = data.runs;
  var ROW = 58;

  function str(v) { return v === undefined || v === null ? '(none)' : (typeof v === 'string' ? v : JSON.stringify(v)); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function modelOf(run) { return (run.summary.target && run.summary.target.name) || '?'; }
  function taskOf(run) { return (run.summary.task && run.summary.task.name) || '?'; }
  function topicField(run) {
    var g = run.group_by || [];
    return g.length && g[0] !== 'language' ? g[0] : null;
  }

  // Every sample, flattened, with what the filters look at.
  var all = [];
  runs.forEach(function (run, r) {
    var field = topicField(run), model = modelOf(run), task = taskOf(run);
    run.samples.forEach(function (s, i) {
      var md = (s.input && s.input.metadata) || {};
      var outcomes = [];
      if (s.status === 'error') outcomes.push('error');
      else {
        outcomes.push('scored');
        var scores = s.scores || {};
        for (var k in scores) outcomes.push(k + '=' + str(scores[k].value));
      }
      all.push({ r: r, i: i, s: s, model: model, task: task, topic: field ? str(md[field]) : '(none)',
                 language: str(md.language), outcomes: outcomes, hay: null });
    });
  });

  function haystack(e) {
    if (e.hay !== null) return e.hay;
    var s = e.s, parts = [s.id, s.error || ''];
    var t = s.transcript;
    if (t) {
      (t.messages || []).forEach(function (m) { parts.push(m.content || ''); });
      (t.tool_calls || []).forEach(function (c) { parts.push(c.name + ' ' + c.arguments); });
    } else if (s.input) parts.push(typeof s.input.input === 'string' ? s.input.input : JSON.stringify(s.input.input));
    var scores = s.scores || {};
    for (var k in scores) parts.push(scores[k].explanation || '', scores[k].answer || '', JSON.stringify(scores[k].value));
    e.hay = parts.join('\n').toLowerCase();
    return e.hay;
  }

  var root = document.querySelector('#samples .explorer');
  var form = root.querySelector('.filters');
  var list = root.querySelector('.list');
  var spacer = list.querySelector('.spacer');
  var detail = root.querySelector('.detail');
  var count = root.querySelector('.count');
  var FIELDS = ['model', 'task', 'topic', 'language', 'outcome'];
  var state = { model: '', task: '', topic: '', language: '', outcome: '', q: '' };
  var matched = [], current = -1;

  function fillSelect(name) {
    var select = form.elements[name], counts = {};
    all.forEach(function (e) {
      var values = name === 'outcome' ? e.outcomes : [e[name]];
      values.forEach(function (v) { counts[v] = (counts[v] || 0) + 1; });
    });
    select.textContent = '';
    var any = el('option', null, 'All'); any.value = ''; select.appendChild(any);
    Object.keys(counts).sort().forEach(function (v) {
      var o = el('option', null, v + ' (' + counts[v] + ')'); o.value = v; select.appendChild(o);
    });
  }
  FIELDS.forEach(fillSelect);

  var applied = { count: 0, ms: 0 };
  function apply() {
    var started = performance.now();
    var q = state.q.trim().toLowerCase();
    matched = [];
    for (var n = 0; n < all.length; n++) {
      var e = all[n];
      if (state.model && e.model !== state.model) continue;
      if (state.task && e.task !== state.task) continue;
      if (state.topic && e.topic !== state.topic) continue;
      if (state.language && e.language !== state.language) continue;
      if (state.outcome && e.outcomes.indexOf(state.outcome) < 0) continue;
      if (q && haystack(e).indexOf(q) < 0) continue;
      matched.push(n);
    }
    count.textContent = matched.length + ' of ' + all.length + ' samples';
    spacer.style.height = (matched.length * ROW) + 'px';
    list.scrollTop = 0;
    renderRows();
    applied.count++;
    applied.ms = performance.now() - started;
  }

  function preview(s) {
    if (s.status === 'error') return 'error: ' + (s.error || '');
    var t = s.transcript;
    if (t && t.output) return t.output.replace(/\s+/g, ' ').slice(0, 200);
    if (t && t.choice_scores) return 'choice scores: ' + t.choice_scores.length;
    return '';
  }

  function renderRows() {
    var first = Math.max(0, Math.floor(list.scrollTop / ROW) - 4);
    var last = Math.min(matched.length, first + Math.ceil((list.clientHeight || 600) / ROW) + 8);
    spacer.textContent = '';
    for (var k = first; k < last; k++) {
      var e = all[matched[k]];
      var b = el('button', 'row');
      b.type = 'button';
      b.style.top = (k * ROW) + 'px';
      b.dataset.index = String(matched[k]);
      b.setAttribute('role', 'listitem');
      if (matched[k] === current) b.setAttribute('aria-current', 'true');
      var l1 = el('span', 'l1');
      l1.appendChild(el('b', null, e.s.id));
      l1.appendChild(el('span', 'meta', e.model + ' · ' + e.task + (e.language !== '(none)' ? ' · ' + e.language : '') + (e.topic !== '(none)' ? ' · ' + e.topic : '')));
      e.outcomes.forEach(function (o) { if (o !== 'scored') l1.appendChild(el('span', 'chip' + (o === 'error' ? ' err' : ''), o)); });
      b.appendChild(l1);
      b.appendChild(el('span', 'l2', preview(e.s)));
      spacer.appendChild(b);
    }
  }
  var pending = false;
  list.addEventListener('scroll', function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; renderRows(); });
  });
  spacer.addEventListener('click', function (ev) {
    var b = ev.target.closest('.row');
    if (b) show(Number(b.dataset.index), true);
  });
  list.addEventListener('keydown', function (ev) {
    if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
    ev.preventDefault();
    var at = matched.indexOf(current);
    at = Math.max(0, Math.min(matched.length - 1, at + (ev.key === 'ArrowDown' ? 1 : -1)));
    if (!matched.length) return;
    var top = at * ROW;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + ROW > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW - list.clientHeight;
    show(matched[at], false);
    renderRows();
    var b = spacer.querySelector('[data-index="' + matched[at] + '"]');
    if (b) b.focus();
  });

  function kv(pairs) {
    var dl = el('dl', 'kv');
    pairs.forEach(function (p) {
      if (p[1] === undefined || p[1] === null || p[1] === '') return;
      dl.appendChild(el('dt', null, p[0]));
      var dd = el('dd');
      if (typeof p[1] === 'object') dd.appendChild(el('pre', null, JSON.stringify(p[1], null, 2))); else dd.textContent = String(p[1]);
      dl.appendChild(dd);
    });
    return dl;
  }
  function marked(tag, cls, text) {
    var node = el(tag, cls), q = state.q.trim();
    if (!q) { node.textContent = text; return node; }
    var lower = text.toLowerCase(), needle = q.toLowerCase(), at = 0, hit;
    while ((hit = lower.indexOf(needle, at)) >= 0) {
      node.appendChild(document.createTextNode(text.slice(at, hit)));
      node.appendChild(el('mark', null, text.slice(hit, hit + needle.length)));
      at = hit + needle.length;
    }
    node.appendChild(document.createTextNode(text.slice(at)));
    return node;
  }

  function show(index, focus) {
    current = index;
    var e = all[index], s = e.s, run = runs[e.r], t = s.transcript;
    detail.textContent = '';
    detail.appendChild(el('h3', null, s.id));
    detail.appendChild(kv([['model', e.model], ['task', e.task + ' (run ' + run.summary.run + ')'], ['status', s.status],
      ['tokens', s.prompt_tokens + ' in, ' + s.completion_tokens + ' out'], ['time', (s.seconds || 0).toFixed(2) + ' s']]));
    var input = s.input || {};
    if (input.metadata) { var d = el('details'); d.appendChild(el('summary', null, 'metadata')); d.appendChild(kv(Object.keys(input.metadata).map(function (k) { return [k, input.metadata[k]]; }))); detail.appendChild(d); }
    if (input.target !== undefined) detail.appendChild(kv([['target', Array.isArray(input.target) ? input.target.join(' | ') : input.target]]));
    if (t && t.messages && t.messages.length) {
      t.messages.forEach(function (m, k) {
        var last = k === t.messages.length - 1 && m.role === 'assistant';
        var box = el('div', 'msg ' + m.role + (last ? ' answer' : ''));
        box.appendChild(el('div', 'role', last ? 'answer (assistant)' : (m.role === 'tool' ? 'tool result' + (m.name ? ': ' + m.name : '') : m.role === 'system' ? 'system prompt' : m.role)));
        if (m.content) box.appendChild(marked('pre', null, m.content));
        (m.tool_calls || []).forEach(function (c) { box.appendChild(el('div', 'call', '→ ' + c.name + '(' + c.arguments + ')')); });
        detail.appendChild(box);
      });
    } else if (input.input !== undefined) {
      var box = el('div', 'msg user'); box.appendChild(el('div', 'role', 'input'));
      box.appendChild(marked('pre', null, typeof input.input === 'string' ? input.input : JSON.stringify(input.input, null, 2)));
      detail.appendChild(box);
    }
    if (t && t.choice_scores) {
      var choices = input.choices || [];
      detail.appendChild(kv(t.choice_scores.map(function (c, k) { return [String.fromCharCode(65 + k) + '. ' + (choices[k] || ''), JSON.stringify(c)]; })));
    }
    if (s.error) { var err = el('div', 'verdict'); err.appendChild(el('h4', null, 'error (not scored)')); err.appendChild(el('pre', null, s.error)); detail.appendChild(err); }
    var scores = s.scores || {};
    Object.keys(scores).forEach(function (k) {
      var v = scores[k], box = el('div', 'verdict');
      box.appendChild(el('h4', null, k + ': ' + str(v.value)));
      var md = v.metadata || {};
      box.appendChild(kv([['answer read', v.answer], ['explanation', v.explanation]].concat(
        Object.keys(md).map(function (m) { return [m === 'raw' ? 'judge raw output' : m, md[m]]; }))));
      detail.appendChild(box);
    });
    if (s.requests && s.requests.length) {
      var d2 = el('details'); d2.appendChild(el('summary', null, s.requests.length + ' request' + (s.requests.length > 1 ? 's' : '')));
      s.requests.forEach(function (q) {
        d2.appendChild(kv([['purpose', q.purpose], ['seconds', q.seconds], ['cached', String(q.cached)], ['error', q.error],
          ['request', q.omitted ? '(left out of the report: large; see hearth audit export)' : q.request], ['response', q.omitted ? null : q.response]]));
      });
      detail.appendChild(d2);
    }
    var buttons = spacer.querySelectorAll('.row');
    for (var n = 0; n < buttons.length; n++) buttons[n].setAttribute('aria-current', buttons[n].dataset.index === String(index) ? 'true' : 'false');
    writeHash();
    if (focus) {
      detail.focus({ preventScroll: true });
      if (window.matchMedia('(max-width: 760px)').matches) detail.scrollIntoView({ block: 'start' });
    }
  }

  function writeHash() {
    var parts = [];
    FIELDS.concat(['q']).forEach(function (k) { if (state[k]) parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(state[k])); });
    if (current >= 0) parts.push('sample=' + all[current].r + ':' + all[current].i);
    try { history.replaceState(null, '', '#samples' + (parts.length ? '?' + parts.join('&') : '')); } catch (x) { /* file: URLs may refuse */ }
  }

  function setSelect(name, value) {
    var select = form.elements[name];
    if (value && !Array.prototype.some.call(select.options, function (o) { return o.value === value; })) {
      var o = el('option', null, value + ' (0)'); o.value = value; select.appendChild(o);
    }
    select.value = value;
  }

  function readHash() {
    var h = location.hash;
    if (h.indexOf('#samples?') !== 0) return false;
    var params = {};
    h.slice(9).split('&').forEach(function (p) {
      var at = p.indexOf('=');
      if (at > 0) params[decodeURIComponent(p.slice(0, at))] = decodeURIComponent(p.slice(at + 1));
    });
    FIELDS.forEach(function (k) { state[k] = params[k] || ''; setSelect(k, state[k]); });
    state.q = params.q || '';
    form.elements.q.value = state.q;
    current = -1;
    apply();
    if (params.sample) {
      var rs = params.sample.split(':'), r = Number(rs[0]), i = Number(rs[1]);
      for (var n = 0; n < all.length; n++) if (all[n].r === r && all[n].i === i) { show(n, false); break; }
    } else if (matched.length) show(matched[0], false);
    return true;
  }

  FIELDS.forEach(function (k) {
    form.elements[k].addEventListener('change', function () { state[k] = this.value; apply(); writeHash(); });
  });
  var timer = 0;
  form.elements.q.addEventListener('input', function () {
    var value = this.value;
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = value; apply(); writeHash(); }, all.length > 5000 ? 150 : 0);
  });
  form.querySelector('.reset').addEventListener('click', function () {
    FIELDS.forEach(function (k) { state[k] = ''; form.elements[k].value = ''; });
    state.q = ''; form.elements.q.value = ''; current = -1; apply(); writeHash();
  });
  window.addEventListener('hashchange', function () {
    if (readHash()) document.getElementById('samples').scrollIntoView();
  });

  // Heatmaps: any figure of the task, from the same data.
  function samplesHref(r, filters) {
    var run = runs[r], items = [['task', taskOf(run)], ['model', modelOf(run)]];
    Object.keys(filters).sort().forEach(function (k) { items.push([k, filters[k]]); });
    return '#samples?' + items.map(function (p) { return encodeURIComponent(p[0]) + '=' + encodeURIComponent(p[1]); }).join('&');
  }
  function outcomeOf(metric) {
    var dot = metric.indexOf('.'), scorer = metric.slice(0, dot), measure = metric.slice(dot + 1);
    return measure === 'mean' ? 'scored' : measure === 'accuracy' ? scorer + '=1' : scorer + '=' + measure;
  }
  function fmt(x, metric) {
    if (typeof x !== 'number' || !isFinite(x)) return '–';
    return /\.mean$/.test(metric) ? x.toFixed(3) : (x * 100).toFixed(1) + '%';
  }
  Array.prototype.forEach.call(document.querySelectorAll('.heatmap'), function (article) {
    var select = article.querySelector('.heat-select'), field = article.dataset.field;
    select.disabled = false;
    select.addEventListener('change', function () {
      var metric = select.value;
      Array.prototype.forEach.call(article.querySelectorAll('.heat-name'), function (n) { n.textContent = metric; });
      Array.prototype.forEach.call(article.querySelectorAll('.heat-cell'), function (td) {
        var r = Number(td.dataset.run), topic = td.dataset.topic, language = td.dataset.language, found = null;
        (runs[r].groups || []).forEach(function (g) { if (g.key[field] === topic && g.key.language === language) found = g; });
        var m = found && found.metrics[metric];
        td.textContent = '';
        if (!m) { td.classList.add('muted'); td.style.setProperty('--v', '0'); td.textContent = '—'; return; }
        td.classList.remove('muted');
        td.style.setProperty('--v', /\.mean$/.test(metric) ? '0.5' : String(Math.max(0, Math.min(1, m.value))));
        var a = el('a', 'fig', fmt(m.value, metric));
        a.href = samplesHref(r, { topic: topic, language: language, outcome: outcomeOf(metric) });
        var label = topic + ', ' + language + ': ' + metric + ' = ' + fmt(m.value, metric) + ', n = ' + m.n;
        a.setAttribute('aria-label', label); a.title = label;
        a.dataset.run = String(r); a.dataset.metric = metric; a.dataset.value = String(m.value); a.dataset.n = String(m.n);
        td.appendChild(a);
      });
    });
  });

  root.hidden = false;
  if (!readHash()) apply();
  document.documentElement.dataset.ready = String(Math.round(performance.now() - t0));
  window.hearthReport = { data: data, samples: all, state: state, matched: function () { return matched; }, apply: apply, applied: applied };
})();
"""#
}
