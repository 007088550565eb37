// Perfloop UI: a dependency-free single page over /api/v1.
// Views are plain functions that build DOM; the hash is the route.
'use strict';
(() => {
  // ---------- dictionary (every label in zh and en) ----------
  const D = {
    'app.skip': ['跳到正文', 'Skip to content'],
    'nav.inbox': ['待办', 'Inbox'],
    'nav.results': ['我的结果', 'My results'],
    'nav.cycles': ['考核周期', 'Cycles'],
    'nav.templates': ['模板', 'Templates'],
    'nav.signout': ['退出', 'Sign out'],
    'nav.lang': ['语言', 'Language'],
    'nav.tz': ['时区', 'Time zone'],
    'signin.title': ['登录 Perfloop', 'Sign in to Perfloop'],
    'signin.token': ['访问令牌', 'Access token'],
    'signin.hint': ['运行 perfloop dev 获取演示用户的令牌（启动时打印在终端）。', 'Run perfloop dev to get tokens: it prints the demo users and their tokens.'],
    'signin.submit': ['登录', 'Sign in'],
    'signin.bad': ['令牌无效或已过期。', 'The token is not valid or has expired.'],
    'signin.expired': ['登录已失效，请重新登录。', 'Your session ended; please sign in again.'],
    'role.admin': ['管理员', 'Admin'], 'role.hrbp': ['HRBP', 'HRBP'], 'role.manager': ['经理', 'Manager'], 'role.employee': ['员工', 'Employee'],
    'inbox.title': ['我的待办', 'Inbox'],
    'inbox.empty': ['暂无待办。新任务会自动出现在这里。', 'Nothing to do. New tasks appear here automatically.'],
    'inbox.auto': ['每 5 秒自动刷新', 'Refreshes every 5 s'],
    'col.task': ['任务', 'Task'], 'col.stage': ['阶段', 'Stage'], 'col.due': ['截止', 'Due'], 'col.state': ['状态', 'State'],
    'col.kind': ['类型', 'Kind'], 'col.count': ['数量', 'Count'], 'col.title': ['名称', 'Title'], 'col.period': ['周期', 'Period'],
    'col.created': ['创建于', 'Created'], 'col.rank': ['排名', 'Rank'], 'col.member': ['成员', 'Member'], 'col.score': ['总分', 'Score'],
    'col.proposed': ['建议等级', 'Proposed'], 'col.grade': ['等级', 'Grade'], 'col.key': ['标识', 'Key'], 'col.version': ['版本', 'Version'],
    'col.updated': ['更新于', 'Updated'], 'col.actions': ['操作', 'Actions'], 'col.value': ['值', 'Value'], 'col.name': ['名称', 'Name'],
    'state.open': ['待完成', 'Open'], 'state.submitted': ['已提交', 'Submitted'], 'state.expired': ['已过期', 'Expired'], 'state.cancelled': ['已取消', 'Cancelled'],
    'state.pending': ['准备中', 'Pending'], 'state.running': ['进行中', 'Running'], 'state.completed': ['已完成', 'Completed'], 'state.failed': ['失败', 'Failed'],
    'state.draft': ['草稿', 'Draft'], 'state.published': ['已发布', 'Published'], 'state.retired': ['已停用', 'Retired'],
    'state.computed': ['已计算', 'Computed'], 'state.calibrated': ['已校准', 'Calibrated'], 'state.acknowledged': ['已确认', 'Acknowledged'], 'state.appealed': ['已申诉', 'Appealed'],
    'overdue': ['已逾期', 'Overdue'],
    'kind.plan': ['工作计划', 'Plan'], 'kind.plan_approval': ['计划审批', 'Plan approval'], 'kind.self_eval': ['自评', 'Self-evaluation'],
    'kind.manager_eval': ['上级评价', 'Manager evaluation'], 'kind.peer_eval': ['同事互评', 'Peer rating'], 'kind.cross_eval': ['跨部门评价', 'Cross-department rating'],
    'kind.acknowledge': ['结果确认', 'Acknowledgement'], 'kind.confirm_targets': ['目标确认', 'Target confirmation'], 'kind.calibration': ['校准', 'Calibration'],
    'kind.task': ['表单', 'Form'], 'kind.idp_review': ['IDP 评估', 'IDP review'],
    'task.back': ['← 返回待办', '← Back to inbox'],
    'task.subject': ['评价对象', 'About'],
    'task.cycle': ['考核周期', 'Cycle'],
    'task.closed': ['此任务已关闭（{state}），只能查看。', 'This task is closed ({state}) and can only be viewed.'],
    'task.submit': ['提交', 'Submit'],
    'task.done': ['已提交，谢谢！', 'Submitted — thank you!'],
    'task.draft': ['已恢复本地草稿。', 'Your draft was restored.'],
    'task.discard': ['丢弃草稿', 'Discard draft'],
    'task.fix': ['请修正标出的字段。', 'Please fix the marked fields.'],
    'task.scale': ['评分范围 {min}–{max}', 'Score from {min} to {max}'],
    'task.comment': ['评语', 'Comment'],
    'task.decision': ['你的决定', 'Your decision'],
    'task.acknowledge': ['确认结果', 'Acknowledge the result'],
    'task.appeal': ['申诉', 'Appeal'],
    'task.appealHint': ['申诉时请说明不同意的内容。', 'When you appeal, say what you disagree with.'],
    'task.approved': ['批准该计划？', 'Approve this plan?'],
    'task.confirmed': ['我确认目标分解', 'I confirm the target breakdown'],
    'task.outcome': ['IDP 结果', 'IDP outcome'],
    'outcome.completed': ['已完成', 'Completed'], 'outcome.extended': ['延期', 'Extended'], 'outcome.not_completed': ['未完成', 'Not completed'],
    'yes': ['是', 'Yes'], 'no': ['否', 'No'], 'choose': ['— 请选择 —', '— choose —'],
    'v.required': ['必填。', 'This is required.'],
    'v.number': ['请输入数字。', 'Enter a number.'],
    'v.min': ['不能小于 {min}。', 'Must be at least {min}.'],
    'v.max': ['不能大于 {max}。', 'Must be at most {max}.'],
    'v.maxLength': ['最多 {n} 个字符。', 'At most {n} characters.'],
    'v.appeal': ['申诉时必须填写理由。', 'An appeal needs a comment saying what you disagree with.'],
    'v.reason': ['每次调整都需要理由。', 'Every move needs a reason.'],
    'err.network': ['无法连接服务器，请稍后重试。', 'Cannot reach the server; try again shortly.'],
    'err.load': ['加载失败：{msg}', 'Could not load: {msg}'],
    'err.notfound': ['页面不存在。', 'There is no such page.'],
    'err.forbidden': ['你的角色无权访问此页面。', 'Your role cannot open this page.'],
    'results.title': ['我的考核结果', 'My results'],
    'results.none': ['暂无考核周期。', 'No cycles yet.'],
    'results.view': ['查看结果', 'View result'],
    'results.dashboard': ['看板', 'Dashboard'],
    'results.pending': ['结果尚未发布。', 'The result is not published yet.'],
    'results.final': ['总分', 'Final score'], 'results.grade': ['等级', 'Grade'], 'results.rank': ['排名', 'Rank'],
    'results.percentile': ['百分位', 'Percentile'], 'results.bonus': ['奖金', 'Bonus'], 'results.promotion': ['晋升提名', 'Promotion'],
    'results.state': ['状态', 'State'], 'results.indicators': ['指标得分', 'Indicator scores'], 'results.parts': ['分项', 'Parts'],
    'results.adjustments': ['调整', 'Adjustments'], 'results.applied': ['已应用', 'Applied'], 'results.missing': ['缺少数据', 'Missing data'],
    'results.notes': ['备注', 'Notes'], 'results.breakdown': ['得分明细', 'Breakdown'], 'results.nothing': ['无', 'None'],
    'cycles.title': ['考核周期', 'Cycles'], 'cycles.launch': ['发起考核', 'Launch a cycle'],
    'cycles.template': ['模板', 'Template'], 'cycles.team': ['团队', 'Team'], 'cycles.period': ['周期', 'Period'],
    'cycles.periodHint': ['月度 YYYY-MM，季度 YYYY-Qn', 'Monthly YYYY-MM, quarterly YYYY-Qn'],
    'cycles.compress': ['时间压缩（可选）', 'Time compression (optional)'],
    'cycles.compressHint': ['演示用：8640 表示模板中的一天只持续 10 秒', 'For demos: 8640 makes a template day last 10 s'],
    'cycles.submit': ['发起', 'Launch'], 'cycles.none': ['还没有考核周期。', 'No cycles yet.'],
    'cycles.launched': ['已发起：{title}', 'Launched: {title}'],
    'dash.progress': ['进度', 'Progress'], 'dash.stage': ['当前阶段', 'Stage'], 'dash.stageOf': ['{name}（第 {i}/{n} 阶段）', '{name} (stage {i} of {n})'],
    'dash.done': ['已完成 {done}/{members} 人', '{done} of {members} members done'], 'dash.expired': ['过期', 'Expired'],
    'dash.skipped': ['跳过的阶段', 'Skipped stages'], 'dash.tasks': ['任务统计', 'Tasks'], 'dash.overdue': ['逾期任务', 'Overdue tasks'],
    'dash.dist': ['等级分布', 'Grade distribution'], 'dash.results': ['结果', 'Results'], 'dash.noResults': ['尚无结果。', 'No results yet.'],
    'dash.auto': ['进行中，每 3 秒自动刷新', 'Running: refreshes every 3 s'], 'dash.cancel': ['取消考核', 'Cancel cycle'],
    'dash.reason': ['取消原因', 'Reason for cancelling'], 'dash.cancelled': ['已取消。', 'The cycle was cancelled.'],
    'dash.template': ['模板', 'Template'], 'dash.started': ['开始于', 'Started'], 'dash.finished': ['结束于', 'Finished'],
    'dash.cancelReason': ['取消原因', 'Cancel reason'], 'dash.chartLabel': ['等级分布：{list}', 'Grade distribution: {list}'],
    'cal.title': ['校准看板', 'Calibration board'],
    'cal.help': ['每张卡片都是一个按钮：选中后用 ← → 方向键在等级之间移动，或使用卡片下方的按钮。每次调整都需填写理由。', 'Each card is a button: focus it and press ← or → to move the member between grades, or use the buttons under the card. Every move needs a reason.'],
    'cal.move': ['将 {name} 调到 {grade}', 'Move {name} to {grade}'],
    'cal.card': ['{name}，总分 {score}，排名 {rank}，等级 {grade}', '{name}, score {score}, rank {rank}, grade {grade}'],
    'cal.reason': ['调整理由（{from} → {to}）', 'Reason ({from} → {to})'],
    'cal.submit': ['提交校准（{n} 项调整）', 'Submit calibration ({n} changes)'],
    'cal.moved': ['{name} 已移到 {grade}', '{name} moved to {grade}'],
    'cal.limits': ['强制分布', 'Forced distribution'],
    'cal.broken': ['强制分布未满足', 'The forced distribution is broken'],
    'cal.limitMax': ['最多 {n} 人（{pct}%）', 'at most {n} allowed ({pct}%)'],
    'cal.limitMin': ['至少 {n} 人（{pct}%）', 'at least {n} required ({pct}%)'],
    'cal.over': ['超出 {n} 人', '{n} over'],
    'cal.under': ['不足 {n} 人', '{n} under'],
    'cal.share': ['{grades}：{n}/{total} 人（{pct}%）', '{grades}: {n} of {total} members ({pct}%)'],
    'cal.none': ['尚无可校准的结果。', 'There are no results to calibrate yet.'],
    'tpl.title': ['流程模板', 'Process templates'], 'tpl.new': ['新建模板', 'New template'], 'tpl.open': ['编辑', 'Open'],
    'tpl.publish': ['发布', 'Publish'], 'tpl.save': ['保存草稿', 'Save draft'], 'tpl.editor': ['模板 JSON', 'Template JSON'],
    'tpl.valid': ['模板有效 ✓', 'The template is valid ✓'], 'tpl.checking': ['正在校验…', 'Checking…'],
    'tpl.errors': ['{n} 个错误', '{n} error(s)'], 'tpl.line': ['第 {n} 行', 'line {n}'], 'tpl.saved': ['已保存草稿 {key} v{v}', 'Saved draft {key} v{v}'],
    'tpl.published': ['已发布 {key} v{v}', 'Published {key} v{v}'], 'tpl.frozen': ['此版本已{state}；保存会生成新的草稿版本。', 'This version is {state}; saving opens a new draft version.'],
    'tpl.syntax': ['JSON 语法错误', 'JSON syntax error'], 'tpl.back': ['← 模板列表', '← Templates'],
    'tpl.editorHint': ['编辑时自动校验。点击错误可跳到对应行。', 'Checked as you type. Choose an error to jump to its line.'],
    'tpl.none': ['还没有模板。', 'No templates yet.'],
  };
  const LANGS = { zh: 0, en: 1 };
  let lang = localStorage.getItem('pl.lang') || ((navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en');
  if (!(lang in LANGS)) lang = 'en';
  const t = (key, vars) => {
    const e = D[key];
    let s = e ? e[LANGS[lang]] : key;
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.split('{' + k + '}').join(String(v));
    return s;
  };
  // txt picks a template's {zh,en} text in the current language.
  const txt = (o, fallback) => (o && (lang === 'en' && o.en ? o.en : o.zh || o.en)) || fallback || '';
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const locale = () => (lang === 'zh' ? 'zh-CN' : 'en-GB');
  const fmtTime = (iso) => {
    if (!iso) return '—';
    const d = new Date(iso);
    return isNaN(d) ? iso : new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
  };
  const fmtNum = (n, digits = 2) => (typeof n === 'number' ? new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(n) : String(n ?? '—'));

  // ---------- DOM ----------
  const $ = (sel, root = document) => root.querySelector(sel);
  const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'required', 'readOnly', 'open']);
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    setAttrs(el, attrs);
    append(el, kids);
    return el;
  }
  function setAttrs(el, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.setAttribute('class', v);
      else if (k === 'text') el.textContent = v;
      else if (PROPS.has(k)) el[k] = v;
      else el.setAttribute(k, v === true ? '' : v);
    }
  }
  function append(el, kids) {
    for (const k of kids.flat(Infinity)) {
      if (k == null || k === false) continue;
      el.append(k instanceof Node ? k : document.createTextNode(String(k)));
    }
  }
  // fill replaces an element's children; null and false children are skipped.
  function fill(el, ...kids) {
    el.replaceChildren();
    append(el, kids);
  }
  function svg(tag, attrs, ...kids) {
    const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    append(el, kids);
    return el;
  }
  const badge = (state, label) => h('span', { class: 'badge ' + state }, label || t('state.' + state));
  const idFor = (path) => 'f' + (path || '-root').replace(/[^a-zA-Z0-9_]+/g, '-');
  function toast(msg) {
    const el = $('#toast');
    el.textContent = msg;
    el.classList.add('show');
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => el.classList.remove('show'), 2500);
  }
  function alertBox(kind, msg, extra) {
    return h('div', { class: 'alert ' + kind, role: kind === 'bad' ? 'alert' : 'status' }, msg, extra || null);
  }

  // ---------- API ----------
  class ApiError extends Error {
    constructor(status, body) {
      super(body.message || 'HTTP ' + status);
      this.status = status;
      this.code = body.code;
      this.details = body.details || [];
    }
  }
  const S = { token: localStorage.getItem('pl.token') || '', me: null, cache: new Map(), timers: [] };
  async function api(method, path, body, opts = {}) {
    const headers = { Accept: 'application/json' };
    if (S.token) headers.Authorization = 'Bearer ' + S.token;
    if (opts.headers) Object.assign(headers, opts.headers);
    let payload;
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch('/api/v1' + path, { method, headers, body: payload });
    } catch (e) {
      throw new ApiError(0, { code: 'network', message: t('err.network') });
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
    if (!res.ok) {
      if (res.status === 401 && !opts.quiet401) signOut(t('signin.expired'));
      throw new ApiError(res.status, (data && data.error) || { code: 'http', message: res.status + ' ' + res.statusText });
    }
    return data;
  }
  const get = (path) => api('GET', path);
  // cached memoises reads that do not change while the page is open.
  function cached(key, fn) {
    if (!S.cache.has(key)) S.cache.set(key, fn().catch((e) => { S.cache.delete(key); throw e; }));
    return S.cache.get(key);
  }
  const loadCycle = (id) => get('/cycles/' + encodeURIComponent(id));
  const loadTemplate = (key, v) => cached('tpl:' + key + '@' + v, () => get('/templates/' + encodeURIComponent(key) + '/versions/' + v).then((r) => r.body || {}));
  const loadMembers = () => cached('members', () => get('/members?limit=500').then((r) => new Map(r.items.map((m) => [m.id, m]))));
  const memberName = (members, id) => (members && members.get(id) ? members.get(id).name : id === S.me?.id ? S.me.name : (id || '').slice(0, 8));
  const isLead = () => S.me && ['admin', 'hrbp', 'manager'].includes(S.me.role);

  // ---------- JSON pointer ----------
  const ptrEsc = (k) => String(k).replace(/~/g, '~0').replace(/\//g, '~1');
  function ptrSplit(p) { return p ? p.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')) : []; }
  function ptrGet(obj, p) {
    let o = obj;
    for (const k of ptrSplit(p)) { if (o == null || typeof o !== 'object') return undefined; o = o[k]; }
    return o;
  }
  function ptrSet(obj, p, v) {
    const ks = ptrSplit(p);
    let o = obj;
    ks.slice(0, -1).forEach((k) => { if (typeof o[k] !== 'object' || o[k] === null) o[k] = {}; o = o[k]; });
    o[ks[ks.length - 1]] = v;
  }
  // locatePointers maps each JSON pointer of a valid JSON text to the offset
  // where its member's key (or array element) starts, so errors name a line.
  function locatePointers(text) {
    const map = new Map();
    let i = 0;
    const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
    const str = () => {
      let out = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') {
          i++;
          const c = text[i];
          if (c === 'u') { out += String.fromCharCode(parseInt(text.substr(i + 1, 4), 16)); i += 4; } else out += { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' }[c] || c;
        } else out += text[i];
        i++;
      }
      i++;
      return out;
    };
    const val = (ptr, at) => {
      ws();
      map.set(ptr, at ?? i);
      const c = text[i];
      if (c === '{') {
        i++; ws();
        if (text[i] === '}') { i++; return; }
        while (i < text.length) {
          ws();
          if (text[i] !== '"') return;
          const kat = i;
          const k = str();
          ws(); i++; // the colon
          val(ptr + '/' + ptrEsc(k), kat);
          ws();
          if (text[i] === ',') { i++; continue; }
          i++; return;
        }
      } else if (c === '[') {
        i++; ws();
        if (text[i] === ']') { i++; return; }
        let n = 0;
        while (i < text.length) {
          val(ptr + '/' + n++);
          ws();
          if (text[i] === ',') { i++; continue; }
          i++; return;
        }
      } else if (c === '"') str();
      else while (i < text.length && !',}] \t\r\n'.includes(text[i])) i++;
    };
    try { val(''); } catch (e) { /* best effort: what was mapped stays */ }
    return map;
  }
  const lineAt = (text, offset) => text.slice(0, offset).split('\n').length;
  // lineOfPointer finds the line of a pointer, or of its nearest existing parent.
  function lineOfPointer(text, map, p) {
    let parts = ptrSplit(p);
    while (true) {
      const key = parts.length ? '/' + parts.map(ptrEsc).join('/') : '';
      if (map.has(key)) return lineAt(text, map.get(key));
      if (!parts.length) return null;
      parts = parts.slice(0, -1);
    }
  }

  // ---------- shell and routing ----------
  let renderSeq = 0;
  function clearTimers() { S.timers.forEach(clearInterval); S.timers = []; }
  function every(ms, fn) { S.timers.push(setInterval(fn, ms)); }
  function signOut(msg) {
    S.token = ''; S.me = null; S.cache.clear();
    localStorage.removeItem('pl.token');
    S.flash = msg || null;
    if (location.hash !== '#/signin') location.hash = '#/signin'; else render();
  }
  const LEADS = ['admin', 'hrbp', 'manager'];
  const routes = [
    [/^#\/signin$/, signinView, null, true],
    [/^#\/inbox$/, inboxView],
    [/^#\/task\/([^/]+)$/, taskView],
    [/^#\/results$/, resultsView],
    [/^#\/results\/([^/]+)$/, resultView],
    [/^#\/cycles$/, cyclesView, LEADS],
    [/^#\/cycles\/([^/]+)$/, dashboardView, LEADS],
    [/^#\/templates$/, templatesView, ['admin']],
    [/^#\/templates\/new$/, editorView, ['admin']],
    [/^#\/templates\/([^/]+)\/(\d+)$/, editorView, ['admin']],
  ];
  function header() {
    const top = $('#top');
    fill(top);
    if (!S.me) { top.hidden = true; return; }
    top.hidden = false;
    const links = [['#/inbox', 'nav.inbox', 'inbox'], ['#/results', 'nav.results', 'results']];
    if (isLead()) links.push(['#/cycles', 'nav.cycles', 'cycles']);
    if (S.me.role === 'admin') links.push(['#/templates', 'nav.templates', 'templates']);
    const here = location.hash.split('/')[1] || '';
    const langSel = h('select', { 'aria-label': t('nav.lang'), id: 'lang', onchange: (e) => setLang(e.target.value) },
      h('option', { value: 'zh', selected: lang === 'zh' }, '中文'), h('option', { value: 'en', selected: lang === 'en' }, 'English'));
    append(top, [
      h('span', { class: 'brand' }, 'Perfloop'),
      h('nav', { 'aria-label': 'Main' }, links.map(([href, key, name]) =>
        h('a', { href, 'data-nav': name, 'aria-current': here === name || (here === 'task' && name === 'inbox') ? 'page' : null }, t(key)))),
      h('div', { class: 'who' },
        h('span', { id: 'me' }, S.me.name + ' · ' + t('role.' + S.me.role)),
        h('span', { class: 'small', title: t('nav.tz') }, tz),
        langSel,
        h('button', { type: 'button', id: 'signout', onclick: () => signOut() }, t('nav.signout'))),
    ]);
  }
  function setLang(l) {
    lang = l;
    localStorage.setItem('pl.lang', l);
    document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
    render();
  }
  async function render() {
    const seq = ++renderSeq;
    const live = () => seq === renderSeq;
    clearTimers();
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    $('.skip').textContent = t('app.skip');
    const main = $('#main');
    const hash = location.hash || '';
    if (!S.token && hash !== '#/signin') { location.hash = '#/signin'; return; }
    if (S.token && !S.me) {
      try { S.me = await api('GET', '/me', undefined, { quiet401: true }); } catch (e) {
        if (!live()) return;
        if (e.status === 401) { signOut(t('signin.expired')); return; }
        fill(main, alertBox('bad', t('err.load', { msg: e.message })));
        return;
      }
      if (!live()) return;
    }
    if (S.me && (hash === '' || hash === '#/' || hash === '#/signin')) { location.hash = '#/inbox'; return; }
    header();
    for (const [re, view, roles] of routes) {
      const m = hash.match(re);
      if (!m) continue;
      if (roles && !roles.includes(S.me.role)) { fill(main, alertBox('bad', t('err.forbidden'))); return; }
      fill(main);
      try {
        await view(main, live, ...m.slice(1).map(decodeURIComponent));
      } catch (e) {
        if (live()) fill(main, alertBox('bad', t('err.load', { msg: e.message })));
      }
      return;
    }
    fill(main, alertBox('bad', t('err.notfound')));
  }
  function focusMain() {
    const h1 = $('#main h1');
    if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: true }); }
  }

  // ---------- sign in ----------
  function signinView(main) {
    const err = h('div', { class: 'err', id: 'token-err', role: 'alert' });
    const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-hint token-err' });
    const form = h('form', { class: 'card signin', id: 'signin', onsubmit: async (e) => {
      e.preventDefault();
      err.textContent = '';
      const token = input.value.trim();
      if (!token) { err.textContent = t('v.required'); input.setAttribute('aria-invalid', 'true'); input.focus(); return; }
      S.token = token;
      try {
        S.me = await api('GET', '/me', undefined, { quiet401: true });
      } catch (ex) {
        S.token = '';
        err.textContent = ex.status === 401 ? t('signin.bad') : ex.message;
        input.setAttribute('aria-invalid', 'true');
        input.focus();
        return;
      }
      localStorage.setItem('pl.token', token);
      location.hash = '#/inbox';
    } },
    h('h1', {}, t('signin.title')),
    S.flash ? alertBox('warn', S.flash) : null,
    h('div', { class: 'field' },
      h('label', { for: 'token' }, t('signin.token')),
      input,
      h('p', { class: 'hint', id: 'token-hint' }, t('signin.hint')),
      err),
    h('div', { class: 'toolbar' },
      h('button', { type: 'submit', id: 'signin-submit' }, t('signin.submit')),
      h('select', { 'aria-label': t('nav.lang'), onchange: (e) => setLang(e.target.value) },
        h('option', { value: 'zh', selected: lang === 'zh' }, '中文'), h('option', { value: 'en', selected: lang === 'en' }, 'English'))));
    S.flash = null;
    main.append(form);
    input.focus();
  }

  // ---------- inbox ----------
  const taskTitle = (task) => (lang === 'en' ? task.titleEn || task.title : task.title || task.titleEn);
  const isOverdue = (task) => task.state === 'open' && task.dueAt && new Date(task.dueAt) < new Date();
  async function inboxView(main, live) {
    const box = h('div', { id: 'inbox-box' });
    append(main, [h('h1', {}, t('inbox.title')), h('p', { class: 'muted small' }, t('inbox.auto')), box]);
    focusMain();
    const load = async () => {
      const r = await get('/inbox?limit=100');
      if (!live()) return;
      if (!r.items.length) { fill(box, h('p', { class: 'card', id: 'inbox-empty' }, t('inbox.empty'))); return; }
      fill(box, h('table', { id: 'inbox' },
        h('thead', {}, h('tr', {}, ['col.task', 'col.kind', 'col.stage', 'col.due', 'col.state'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, r.items.map((task) => {
          const late = isOverdue(task);
          return h('tr', { class: late ? 'overdue' : null, 'data-task': task.id, 'data-kind': task.kind },
            h('td', {}, h('a', { href: '#/task/' + task.id }, taskTitle(task))),
            h('td', {}, t('kind.' + task.kind)),
            h('td', {}, task.stage),
            h('td', {}, fmtTime(task.dueAt)),
            h('td', {}, badge(task.state), late ? [' ', badge('overdue', t('overdue'))] : null));
        }))));
    };
    await load();
    every(5000, () => load().catch(() => {}));
  }

  // ---------- task forms ----------
  // Each form is a list of field specs {path, type, label, required, min,
  // max, maxLength, options, hint}; one renderer, one validator and one
  // collector serve every task kind, mirroring cycles.CheckForm.
  function fieldsFor(task, form, tpl, members) {
    const comment = { path: '/comment', type: 'textarea', label: t('task.comment'), maxLength: 4000 };
    switch (task.kind) {
      case 'self_eval': case 'manager_eval': case 'peer_eval': case 'cross_eval': {
        const scale = form.scale || { min: 0, max: 100 };
        const names = new Map((tpl.indicators || []).map((i) => [i.key, txt(i.name, i.key)]));
        return [...(form.indicators || []).map((k) => ({ path: '/scores/' + ptrEsc(k), type: 'number', label: names.get(k) || k, required: true, min: scale.min, max: scale.max, hint: t('task.scale', scale), step: 'any' })), comment];
      }
      case 'acknowledge':
        return [{ path: '/decision', type: 'radio', label: t('task.decision'), required: true, options: [{ value: 'acknowledge', label: t('task.acknowledge') }, { value: 'appeal', label: t('task.appeal') }] },
          { ...comment, hint: t('task.appealHint'), requiredWhen: (b) => b.decision === 'appeal', requiredMsg: t('v.appeal') }];
      case 'plan_approval':
        return [{ path: '/approved', type: 'radio', label: t('task.approved'), required: true, options: [{ value: true, label: t('yes') }, { value: false, label: t('no') }] }, comment];
      case 'idp_review':
        return [{ path: '/outcome', type: 'radio', label: t('task.outcome'), required: true, options: ['completed', 'extended', 'not_completed'].map((v) => ({ value: v, label: t('outcome.' + v) })) }, comment];
      case 'confirm_targets':
        return [{ path: '/confirmed', type: 'boolean', label: t('task.confirmed') }, comment];
    }
    return (form.form || []).map((f) => ({
      path: '/' + ptrEsc(f.key), type: f.type || 'text', label: txt(f.label, f.key), required: !!f.required, min: f.min, max: f.max,
      maxLength: f.maxLength || (['text', 'textarea', 'date'].includes(f.type || 'text') ? 10000 : undefined),
      options: (f.options || []).map((o) => ({ value: o.value, label: txt(o.label, o.value) })),
    }));
  }
  function renderField(f, onInput) {
    const id = idFor(f.path);
    const errId = id + '-err';
    const hintId = id + '-hint';
    const describedBy = [f.hint ? hintId : null, errId].filter(Boolean).join(' ');
    const common = { id, name: f.path, 'aria-describedby': describedBy, oninput: onInput, onchange: onInput };
    const hint = f.hint ? h('p', { class: 'hint', id: hintId }, f.hint) : null;
    const err = h('div', { class: 'err', id: errId });
    const reqMark = f.required ? h('span', { 'aria-hidden': 'true' }, ' *') : null;
    let control;
    if (f.type === 'radio') {
      return h('fieldset', { class: 'field', 'data-path': f.path, 'aria-describedby': describedBy },
        h('legend', {}, f.label, reqMark),
        f.options.map((o, i) => h('label', { class: 'choice' },
          h('input', { type: 'radio', name: f.path, id: id + '-' + i, value: JSON.stringify(o.value), required: f.required, onchange: onInput }), o.label)),
        hint, err);
    }
    if (f.type === 'boolean') {
      return h('div', { class: 'field', 'data-path': f.path },
        h('label', { class: 'choice' }, h('input', { ...common, type: 'checkbox' }), f.label), hint, err);
    }
    switch (f.type) {
      case 'textarea': control = h('textarea', { ...common, maxlength: f.maxLength, required: f.required, rows: 4 }); break;
      case 'number': case 'rating':
        control = h('input', { ...common, type: 'number', inputmode: 'decimal', min: f.min, max: f.max, step: f.step || 'any', required: f.required }); break;
      case 'select':
        control = h('select', { ...common, required: f.required }, h('option', { value: '' }, t('choose')), f.options.map((o) => h('option', { value: o.value }, o.label))); break;
      case 'date': control = h('input', { ...common, type: 'date', required: f.required }); break;
      default: control = h('input', { ...common, type: 'text', maxlength: f.maxLength, required: f.required });
    }
    return h('div', { class: 'field', 'data-path': f.path }, h('label', { for: id }, f.label, reqMark), control, hint, err);
  }
  function readField(root, f) {
    const id = idFor(f.path);
    if (f.type === 'radio') {
      const on = root.querySelector('input[name="' + CSS.escape(f.path) + '"]:checked');
      return on ? JSON.parse(on.value) : undefined;
    }
    const el = root.querySelector('#' + id);
    if (!el) return undefined;
    if (f.type === 'boolean') return el.checked;
    if (f.type === 'number' || f.type === 'rating') {
      if (el.value === '') return el.validity && el.validity.badInput ? NaN : undefined;
      return Number(el.value);
    }
    return el.value === '' ? undefined : el.value;
  }
  function writeField(root, f, v) {
    if (v === undefined) return;
    if (f.type === 'radio') {
      root.querySelectorAll('input[name="' + CSS.escape(f.path) + '"]').forEach((r) => { r.checked = r.value === JSON.stringify(v); });
      return;
    }
    const el = root.querySelector('#' + idFor(f.path));
    if (!el) return;
    if (f.type === 'boolean') el.checked = !!v; else el.value = v == null ? '' : String(v);
  }
  function collect(root, fields) {
    const body = {};
    for (const f of fields) {
      const v = readField(root, f);
      if (v !== undefined) ptrSet(body, f.path, v);
    }
    for (const f of fields) if (f.path.startsWith('/scores/') && body.scores === undefined) body.scores = {};
    return body;
  }
  function validate(body, fields) {
    const errs = [];
    for (const f of fields) {
      const v = ptrGet(body, f.path);
      const required = f.required || (f.requiredWhen && f.requiredWhen(body));
      const empty = v === undefined || (typeof v === 'string' && v.trim() === '');
      if (empty) { if (required) errs.push({ path: f.path, message: f.requiredMsg || t('v.required') }); continue; }
      if (f.type === 'number' || f.type === 'rating') {
        if (typeof v !== 'number' || isNaN(v)) errs.push({ path: f.path, message: t('v.number') });
        else if (f.min != null && v < f.min) errs.push({ path: f.path, message: t('v.min', { min: f.min }) });
        else if (f.max != null && v > f.max) errs.push({ path: f.path, message: t('v.max', { max: f.max }) });
      } else if (typeof v === 'string' && f.maxLength && [...v].length > f.maxLength) {
        errs.push({ path: f.path, message: t('v.maxLength', { n: f.maxLength }) });
      }
    }
    return errs;
  }
  // showErrors puts each error next to its field (by JSON pointer, or the
  // nearest enclosing field) and the rest in the form's general box.
  function showErrors(root, errs, general) {
    root.querySelectorAll('.field > .err, .mcard .err').forEach((e) => { e.textContent = ''; });
    root.querySelectorAll('[aria-invalid]').forEach((e) => e.removeAttribute('aria-invalid'));
    fill(general);
    const loose = [];
    let first = null;
    for (const e of errs) {
      let p = e.path || '';
      let wrap = null;
      while (true) {
        wrap = root.querySelector('[data-path="' + CSS.escape(p) + '"]');
        if (wrap || !p) break;
        p = p.slice(0, p.lastIndexOf('/'));
      }
      if (!wrap) { loose.push(e); continue; }
      const box = wrap.querySelector('.err');
      box.textContent = (box.textContent ? box.textContent + ' ' : '') + e.message;
      const ctl = wrap.matches('input,select,textarea') ? wrap : wrap.querySelector('input,select,textarea');
      if (ctl) { ctl.setAttribute('aria-invalid', 'true'); first = first || ctl; }
    }
    if (errs.length) {
      general.append(alertBox('bad', t('task.fix'), loose.length ? h('ul', {}, loose.map((e) => h('li', {}, (e.path ? e.path + ': ' : '') + e.message))) : null));
    }
    if (first) first.focus();
    else if (errs.length) general.querySelector('.alert')?.focus?.();
  }

  async function taskView(main, live, id) {
    const task = await get('/tasks/' + encodeURIComponent(id));
    const form = task.form || {};
    const cycle = await loadCycle(task.cycleId).catch(() => null);
    const tpl = cycle ? await loadTemplate(cycle.templateKey, cycle.templateVersion).catch(() => ({})) : {};
    const members = await loadMembers().catch(() => null);
    if (!live()) return;
    const closed = task.state !== 'open';
    append(main, [
      h('p', {}, h('a', { href: '#/inbox' }, t('task.back'))),
      h('h1', {}, taskTitle(task)),
      h('dl', { class: 'kv card' },
        h('dt', {}, t('col.kind')), h('dd', {}, t('kind.' + task.kind)),
        cycle ? [h('dt', {}, t('task.cycle')), h('dd', {}, cycle.title)] : null,
        task.subjectId && task.subjectId !== task.assigneeId && !form.anonymous ? [h('dt', {}, t('task.subject')), h('dd', { id: 'task-subject' }, memberName(members, task.subjectId))] : null,
        h('dt', {}, t('col.due')), h('dd', {}, fmtTime(task.dueAt), ' ', isOverdue(task) ? badge('overdue', t('overdue')) : null),
        h('dt', {}, t('col.state')), h('dd', {}, badge(task.state))),
    ]);
    focusMain();
    if (closed) main.append(alertBox('warn', t('task.closed', { state: t('state.' + task.state) })));
    if (task.kind === 'calibration') { await calibrationBoard(main, live, task, cycle, tpl, members, closed); return; }
    if (task.kind === 'acknowledge' && cycle) {
      const r = await get('/cycles/' + cycle.id + '/results').catch(() => null);
      const mine = r && r.items.find((x) => x.memberId === S.me.id);
      if (mine && live()) main.append(h('section', { class: 'card' }, h('h2', {}, t('results.title')), breakdown(mine, tpl)));
    }
    const fields = fieldsFor(task, form, tpl, members);
    const draftKey = 'pl.draft.' + task.id;
    const general = h('div', { id: 'task-general', tabindex: '-1' });
    let saveTimer;
    const onInput = () => {
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => localStorage.setItem(draftKey, JSON.stringify(collect(formEl, fields))), 250);
    };
    const submitBtn = h('button', { type: 'submit', id: 'task-submit', disabled: closed }, t('task.submit'));
    const formEl = h('form', { class: 'card', id: 'task-form', novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const body = collect(formEl, fields);
      const errs = validate(body, fields);
      showErrors(formEl, errs, general);
      if (errs.length) return;
      submitBtn.disabled = true;
      try {
        await api('POST', '/tasks/' + encodeURIComponent(task.id) + '/submit', body);
      } catch (ex) {
        submitBtn.disabled = false;
        if (ex.details.length) showErrors(formEl, ex.details, general);
        else { fill(general, alertBox('bad big', ex.message)); general.focus(); }
        return;
      }
      localStorage.removeItem(draftKey);
      formEl.querySelectorAll('input,select,textarea,button').forEach((el) => { el.disabled = true; });
      fill(general, h('div', { class: 'alert ok big', role: 'status', id: 'task-done' }, t('task.done'), ' ', h('a', { href: '#/inbox' }, t('task.back'))));
      general.focus();
      toast(t('task.done'));
    } }, general, fields.map((f) => renderField(f, onInput)), h('div', { class: 'toolbar' }, submitBtn));
    main.append(formEl);
    const draft = localStorage.getItem(draftKey);
    if (draft && !closed) {
      try {
        const d = JSON.parse(draft);
        fields.forEach((f) => writeField(formEl, f, ptrGet(d, f.path)));
        general.append(h('div', { class: 'alert warn', role: 'status', id: 'task-draft' }, t('task.draft'), ' ',
          h('button', { type: 'button', class: 'link', onclick: () => { localStorage.removeItem(draftKey); render(); } }, t('task.discard'))));
      } catch (e) { localStorage.removeItem(draftKey); }
    }
    if (closed) formEl.querySelectorAll('input,select,textarea').forEach((el) => { el.disabled = true; });
  }

  // ---------- calibration board ----------
  const resultGrade = (r) => r.grade || r.proposedGrade || '—';
  function gradeOrder(tpl, results) {
    const order = (tpl.grades || []).map((g) => g.key);
    for (const r of results) for (const g of [r.proposedGrade, r.grade]) if (g && !order.includes(g)) order.push(g);
    return order;
  }
  // distBounds mirrors scoring.Bounds: percentages become headcounts; a
  // positive maximum always allows one member, a minimum rounds up.
  function distBounds(l, n) {
    let lo = 0;
    let hi = n;
    if (l.max != null) {
      hi = Math.floor((l.max / 100) * n + 1e-9);
      if (l.max > 0) hi = Math.max(hi, 1);
      hi = Math.min(Math.max(hi, 0), n);
    }
    if (l.min != null) lo = Math.min(Math.max(Math.ceil((l.min / 100) * n - 1e-9), 0), n);
    return [lo, hi];
  }
  // limitReport previews the server's forced-distribution check in its words.
  function limitReport(limits, counts, n) {
    return (limits || []).map((l) => {
      const grades = l.grades.join('+');
      const actual = l.grades.reduce((s, g) => s + (counts[g] || 0), 0);
      const [lo, hi] = distBounds(l, n);
      const parts = [t('cal.share', { grades, n: actual, total: n, pct: fmtNum(n ? (100 * actual) / n : 0, 1) })];
      if (l.max != null) parts.push(t('cal.limitMax', { n: hi, pct: l.max }) + (actual > hi ? ' — ' + t('cal.over', { n: actual - hi }) : ''));
      if (l.min != null) parts.push(t('cal.limitMin', { n: lo, pct: l.min }) + (actual < lo ? ' — ' + t('cal.under', { n: lo - actual }) : ''));
      return { grades: l.grades, broken: (l.max != null && actual > hi) || (l.min != null && actual < lo), text: parts.join(', ') };
    });
  }
  async function calibrationBoard(main, live, task, cycle, tpl, members, closed) {
    const res = cycle ? await get('/cycles/' + cycle.id + '/results?limit=500') : { items: [] };
    if (!live()) return;
    const results = res.items;
    const draftKey = 'pl.draft.' + task.id;
    let moves = {};
    try { moves = JSON.parse(localStorage.getItem(draftKey) || '{}').moves || {}; } catch (e) { moves = {}; }
    const order = gradeOrder(tpl, results);
    const gradeName = new Map((tpl.grades || []).map((g) => [g.key, txt(g.name, g.key)]));
    const section = h('section', { class: 'card', id: 'calibration', 'aria-labelledby': 'cal-title' });
    const general = h('div', { id: 'cal-general', tabindex: '-1' });
    const boardBox = h('div');
    const limitsBox = h('div', { id: 'cal-limits', 'aria-live': 'polite' });
    const submitBtn = h('button', { type: 'submit', id: 'cal-submit', disabled: closed });
    append(section, [h('h2', { id: 'cal-title' }, t('cal.title')), h('p', { class: 'muted small', id: 'cal-help' }, t('cal.help')), general, limitsBox, boardBox]);
    const formEl = h('form', { novalidate: true, onsubmit: (e) => { e.preventDefault(); submit(); } }, section, h('div', { class: 'toolbar' }, submitBtn));
    main.append(formEl);
    if (!results.length) { fill(boardBox, h('p', {}, t('cal.none'))); submitBtn.disabled = true; return; }
    const current = (r) => (moves[r.memberId] ? moves[r.memberId].to : resultGrade(r));
    const save = () => localStorage.setItem(draftKey, JSON.stringify({ moves }));
    const move = (r, dir) => {
      const i = order.indexOf(current(r)) + dir;
      if (i < 0 || i >= order.length || closed) return;
      const to = order[i];
      if (to === resultGrade(r)) delete moves[r.memberId];
      else moves[r.memberId] = { to, reason: (moves[r.memberId] || {}).reason || '' };
      save();
      draw();
      const card = boardBox.querySelector('[data-member="' + CSS.escape(r.memberId) + '"] .who');
      if (card) card.focus();
      toast(t('cal.moved', { name: memberName(members, r.memberId), grade: to }));
    };
    const changes = () => results.filter((r) => moves[r.memberId]).map((r) => ({ memberId: r.memberId, from: resultGrade(r), to: moves[r.memberId].to, reason: moves[r.memberId].reason.trim() }));
    function draw() {
      const counts = {};
      results.forEach((r) => { counts[current(r)] = (counts[current(r)] || 0) + 1; });
      const report = limitReport(tpl.distribution, counts, results.length);
      const brokenGrades = new Set(report.filter((x) => x.broken).flatMap((x) => x.grades));
      fill(limitsBox, report.length ? h('div', { class: 'alert ' + (brokenGrades.size ? 'warn' : 'ok') },
        h('strong', {}, brokenGrades.size ? t('cal.broken') : t('cal.limits')), h('ul', {}, report.map((x) => h('li', { class: x.broken ? 'broken' : null }, x.broken ? '⚠ ' : '✓ ', x.text)))) : '');
      const list = changes();
      fill(boardBox, h('div', { class: 'board', role: 'list' }, order.map((g, gi) => h('div', { class: 'col' + (brokenGrades.has(g) ? ' breaks' : ''), role: 'listitem', 'data-grade': g, 'aria-labelledby': 'col-' + g },
        h('h3', { id: 'col-' + g }, h('span', {}, g, ' ', gradeName.get(g) || ''), h('span', { class: 'muted' }, String(counts[g] || 0))),
        h('ul', {}, results.filter((r) => current(r) === g).map((r) => {
          const name = memberName(members, r.memberId);
          const mv = moves[r.memberId];
          const ci = list.findIndex((c) => c.memberId === r.memberId);
          const reasonId = 'reason-' + r.memberId;
          return h('li', { class: 'mcard' + (mv ? ' moved' : ''), 'data-member': r.memberId },
            h('button', { type: 'button', class: 'who', 'aria-describedby': 'cal-help', 'aria-label': t('cal.card', { name, score: fmtNum(r.finalScore), rank: r.rank, grade: g }),
              onkeydown: (e) => {
                if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') { e.preventDefault(); move(r, -1); }
                if (e.key === 'ArrowRight' || e.key === 'ArrowDown') { e.preventDefault(); move(r, 1); }
              } }, h('strong', {}, name), h('br'), h('span', { class: 'small muted' }, '#' + r.rank + ' · ' + fmtNum(r.finalScore) + (mv ? ' · ' + resultGrade(r) + ' → ' + g : ''))),
            closed ? null : h('div', { class: 'moves' },
              gi > 0 ? h('button', { type: 'button', class: 'secondary', 'aria-label': t('cal.move', { name, grade: order[gi - 1] }), onclick: () => move(r, -1) }, '◀ ' + order[gi - 1]) : null,
              gi < order.length - 1 ? h('button', { type: 'button', class: 'secondary', 'aria-label': t('cal.move', { name, grade: order[gi + 1] }), onclick: () => move(r, 1) }, order[gi + 1] + ' ▶') : null),
            mv ? h('div', { 'data-path': '/changes/' + ci + '/reason' },
              h('label', { for: reasonId, class: 'small' }, t('cal.reason', { from: resultGrade(r), to: g })),
              h('input', { id: reasonId, type: 'text', value: mv.reason, required: true, 'aria-describedby': reasonId + '-err', oninput: (e) => { mv.reason = e.target.value; save(); } }),
              h('div', { class: 'err', id: reasonId + '-err' })) : null);
        }))))));
      submitBtn.textContent = t('cal.submit', { n: list.length });
    }
    async function submit() {
      const list = changes();
      const errs = list.map((c, i) => (c.reason ? null : { path: '/changes/' + i + '/reason', message: t('v.reason') })).filter(Boolean);
      showErrors(formEl, errs, general);
      if (errs.length) return;
      submitBtn.disabled = true;
      try {
        await api('POST', '/tasks/' + encodeURIComponent(task.id) + '/submit', { changes: list });
      } catch (ex) {
        submitBtn.disabled = false;
        if (ex.details.length) { showErrors(formEl, ex.details, general); return; }
        // A broken forced distribution is the answer the facilitator must act on: say it loudly.
        fill(general, h('div', { class: 'alert bad big', role: 'alert', id: 'cal-error' }, ex.status === 422 ? [h('strong', {}, t('cal.broken')), h('br')] : null, ex.message));
        general.focus();
        return;
      }
      localStorage.removeItem(draftKey);
      formEl.querySelectorAll('button,input').forEach((el) => { el.disabled = true; });
      fill(general, h('div', { class: 'alert ok big', role: 'status', id: 'task-done' }, t('task.done')));
      general.focus();
    }
    draw();
  }

  // ---------- results ----------
  function kvTable(obj, names, id) {
    const entries = Object.entries(obj || {});
    if (!entries.length) return h('p', { class: 'muted' }, t('results.nothing'));
    return h('table', { id }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('col.name')), h('th', { scope: 'col', class: 'num' }, t('col.value')))),
      h('tbody', {}, entries.map(([k, v]) => h('tr', {}, h('td', {}, names.get(k) || k), h('td', { class: 'num' }, typeof v === 'number' ? fmtNum(v) : JSON.stringify(v))))));
  }
  function breakdown(r, tpl) {
    const names = new Map((tpl.indicators || []).map((i) => [i.key, txt(i.name, i.key)]));
    const adj = r.adjustments || {};
    const adjNames = new Map((tpl.adjustments || []).map((a) => [a.key, txt(a.name, a.key)]));
    const applied = Array.isArray(adj.applied) ? adj.applied : [];
    const missing = Array.isArray(adj.missing) ? adj.missing : [];
    return h('div', { class: 'breakdown' },
      h('dl', { class: 'kv' },
        h('dt', {}, t('results.final')), h('dd', { class: 'final-score' }, h('strong', {}, fmtNum(r.finalScore))),
        h('dt', {}, t('results.grade')), h('dd', {}, r.grade || r.proposedGrade || '—', r.proposedGrade && r.grade && r.grade !== r.proposedGrade ? ' (' + t('col.proposed') + ' ' + r.proposedGrade + ')' : ''),
        h('dt', {}, t('results.rank')), h('dd', {}, String(r.rank)),
        h('dt', {}, t('results.percentile')), h('dd', {}, fmtNum(r.percentile * 100, 0) + '%'),
        r.bonusAmount ? [h('dt', {}, t('results.bonus')), h('dd', {}, new Intl.NumberFormat(locale(), { style: 'currency', currency: r.bonusCurrency || 'CNY' }).format(r.bonusAmount))] : null,
        r.promotion ? [h('dt', {}, t('results.promotion')), h('dd', {}, t('yes'))] : null,
        h('dt', {}, t('results.state')), h('dd', {}, badge(r.state))),
      h('div', { class: 'grid2' },
        h('div', {}, h('h3', {}, t('results.indicators')), kvTable(r.indicators, names)),
        h('div', {}, h('h3', {}, t('results.parts')), kvTable(r.parts, new Map()))),
      h('h3', {}, t('results.adjustments')),
      h('dl', { class: 'kv' },
        h('dt', {}, t('results.applied')), h('dd', {}, applied.length ? applied.map((a) => (typeof a === 'string' ? adjNames.get(a) || a : JSON.stringify(a))).join('；') : t('results.nothing')),
        h('dt', {}, t('results.missing')), h('dd', {}, missing.length ? missing.map((k) => names.get(k) || k).join(', ') : t('results.nothing')),
        adj.notes ? [h('dt', {}, t('results.notes')), h('dd', {}, typeof adj.notes === 'string' ? adj.notes : JSON.stringify(adj.notes))] : null));
  }
  async function resultsView(main, live) {
    const r = await get('/cycles?limit=100');
    if (!live()) return;
    append(main, [h('h1', {}, t('results.title')),
      r.items.length ? h('table', { id: 'my-cycles' },
        h('thead', {}, h('tr', {}, ['col.title', 'col.period', 'col.state', 'col.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, r.items.map((c) => h('tr', {},
          h('td', {}, c.title), h('td', {}, c.period), h('td', {}, badge(c.state)),
          h('td', {}, h('a', { href: '#/results/' + c.id }, t('results.view')), isLead() ? [' · ', h('a', { href: '#/cycles/' + c.id }, t('results.dashboard'))] : null)))))
        : h('p', { class: 'card' }, t('results.none'))]);
    focusMain();
  }
  async function resultView(main, live, id) {
    const cycle = await loadCycle(id);
    const [res, tpl] = await Promise.all([get('/cycles/' + encodeURIComponent(id) + '/results?limit=500'), loadTemplate(cycle.templateKey, cycle.templateVersion).catch(() => ({}))]);
    if (!live()) return;
    const mine = res.items.find((r) => r.memberId === S.me.id);
    append(main, [h('p', {}, h('a', { href: '#/results' }, '← ' + t('results.title'))), h('h1', {}, cycle.title),
      h('section', { class: 'card', id: 'my-result' }, mine ? breakdown(mine, tpl) : h('p', {}, t('results.pending'))),
      !mine && isLead() ? h('p', {}, h('a', { href: '#/cycles/' + cycle.id }, t('results.dashboard'))) : null]);
    focusMain();
  }

  // ---------- cycles (leads) ----------
  const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : Date.now().toString(36) + Math.random().toString(36).slice(2));
  function lastMonth() {
    const d = new Date();
    d.setDate(1);
    d.setMonth(d.getMonth() - 1);
    return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0');
  }
  async function cyclesView(main, live) {
    const [tpls, teams, cycles] = await Promise.all([get('/templates?status=published&limit=200'), get('/teams?limit=200'), get('/cycles?limit=100')]);
    if (!live()) return;
    const general = h('div', { tabindex: '-1' });
    const fields = [
      { path: '/templateKey', label: t('cycles.template'), type: 'select', required: true, options: tpls.items.map((x) => ({ value: x.key + '@' + x.version, label: (lang === 'en' ? x.nameEn || x.name : x.name) + ' (' + x.key + ' v' + x.version + ')' })) },
      { path: '/teamId', label: t('cycles.team'), type: 'select', required: true, options: teams.items.map((x) => ({ value: x.id, label: (lang === 'en' ? x.nameEn || x.name : x.name) + ' (' + x.key + ')' })) },
      { path: '/period', label: t('cycles.period'), type: 'text', required: true, hint: t('cycles.periodHint') },
      { path: '/compress', label: t('cycles.compress'), type: 'number', min: 1, hint: t('cycles.compressHint') },
    ];
    let idem = uuid();
    const submitBtn = h('button', { type: 'submit', id: 'launch-submit' }, t('cycles.submit'));
    const form = h('form', { class: 'card', id: 'launch', novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const body = collect(form, fields);
      const errs = validate(body, fields);
      showErrors(form, errs, general);
      if (errs.length) return;
      const [key, version] = body.templateKey.split('@');
      const req = { templateKey: key, version: Number(version), teamId: body.teamId, period: body.period.trim() };
      if (body.compress) req.compress = body.compress;
      submitBtn.disabled = true;
      let cy;
      try {
        cy = await api('POST', '/cycles', req, { headers: { 'Idempotency-Key': idem } });
      } catch (ex) {
        submitBtn.disabled = false;
        if (ex.details.length) showErrors(form, ex.details.map((d) => (d.path === '/version' ? { ...d, path: '/templateKey' } : d)), general);
        else { fill(general, alertBox('bad', ex.message)); general.focus(); }
        return;
      }
      idem = uuid();
      toast(t('cycles.launched', { title: cy.title }));
      location.hash = '#/cycles/' + cy.id;
    } }, h('h2', {}, t('cycles.launch')), general, h('div', { class: 'row' }, fields.map((f) => renderField(f))), h('div', { class: 'toolbar' }, submitBtn));
    append(main, [h('h1', {}, t('cycles.title')), form,
      cycles.items.length ? h('table', { id: 'cycles' },
        h('thead', {}, h('tr', {}, ['col.title', 'col.period', 'col.state', 'col.stage', 'col.created'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, cycles.items.map((c) => h('tr', {},
          h('td', {}, h('a', { href: '#/cycles/' + c.id }, c.title)), h('td', {}, c.period), h('td', {}, badge(c.state)), h('td', {}, c.currentStage || '—'), h('td', {}, fmtTime(c.createdAt))))))
        : h('p', { class: 'card' }, t('cycles.none'))]);
    const period = form.querySelector('#' + idFor('/period'));
    period.value = lastMonth();
    period.placeholder = '2026-10';
    focusMain();
  }

  function gradeChart(counts, order, names) {
    const keys = order.filter((g) => counts[g] != null || order.length <= 8);
    const max = Math.max(1, ...keys.map((g) => counts[g] || 0));
    const bw = 56, gap = 20, ch = 160, top = 18, w = keys.length * (bw + gap) + gap;
    const label = t('dash.chartLabel', { list: keys.map((g) => g + ' ' + (counts[g] || 0)).join(', ') });
    return svg('svg', { viewBox: '0 0 ' + w + ' ' + (ch + top + 40), width: w, height: ch + top + 40, role: 'img', 'aria-label': label, id: 'grade-chart' },
      svg('title', {}, label),
      svg('line', { x1: 0, x2: w, y1: top + ch, y2: top + ch, stroke: '#8c959f' }),
      keys.map((g, i) => {
        const n = counts[g] || 0;
        const bh = Math.round((n / max) * ch);
        const x = gap + i * (bw + gap);
        return svg('g', {},
          svg('rect', { x, y: top + ch - bh, width: bw, height: Math.max(bh, 0), fill: '#0b5cad', rx: 3 }),
          svg('text', { x: x + bw / 2, y: top + ch - bh - 4, 'text-anchor': 'middle' }, String(n)),
          svg('text', { x: x + bw / 2, y: top + ch + 16, 'text-anchor': 'middle', 'font-weight': '600' }, g),
          svg('text', { x: x + bw / 2, y: top + ch + 32, 'text-anchor': 'middle' }, names.get(g) || ''));
      }));
  }
  async function dashboardView(main, live, id) {
    const first = await loadCycle(id);
    const tpl = await loadTemplate(first.templateKey, first.templateVersion).catch(() => ({}));
    const members = await loadMembers().catch(() => null);
    if (!live()) return;
    const stageName = new Map((tpl.stages || []).map((s) => [s.key, txt(s.name, s.key)]));
    const gradeName = new Map((tpl.grades || []).map((g) => [g.key, txt(g.name, g.key)]));
    const head = h('div');
    const data = h('div', { id: 'dashboard-data' });
    const cancelBox = h('div');
    append(main, [h('p', {}, h('a', { href: '#/cycles' }, '← ' + t('cycles.title'))), h('div', { id: 'dashboard' }, head, data, cancelBox)]);
    let running = null;
    const draw = (cy, res) => {
      const p = cy.progress;
      fill(head, h('h1', {}, cy.title, ' ', badge(cy.state)),
        h('dl', { class: 'kv card' },
          h('dt', {}, t('dash.template')), h('dd', {}, cy.templateKey + ' v' + cy.templateVersion),
          h('dt', {}, t('col.period')), h('dd', {}, cy.period),
          h('dt', {}, t('dash.started')), h('dd', {}, fmtTime(cy.startedAt)),
          cy.finishedAt ? [h('dt', {}, t('dash.finished')), h('dd', {}, fmtTime(cy.finishedAt))] : null,
          cy.cancelReason ? [h('dt', {}, t('dash.cancelReason')), h('dd', {}, cy.cancelReason)] : null),
        ['pending', 'running'].includes(cy.state) ? h('p', { class: 'muted small' }, t('dash.auto')) : null);
      const counts = {};
      res.items.forEach((r) => { const g = resultGrade(r); counts[g] = (counts[g] || 0) + 1; });
      if (!res.items.length && p && p.grades) Object.assign(counts, p.grades);
      const order = gradeOrder(tpl, res.items);
      const pct = p && p.members ? Math.round((100 * p.done) / p.members) : 0;
      fill(data, 
        h('div', { class: 'grid2' },
          h('section', { class: 'card', id: 'progress', 'aria-labelledby': 'progress-h' }, h('h2', { id: 'progress-h' }, t('dash.progress')),
            p ? [
              h('dl', { class: 'kv' },
                h('dt', {}, t('dash.stage')), h('dd', { id: 'stage' }, t('dash.stageOf', { name: stageName.get(p.stage) || p.stage || '—', i: p.stageIndex + 1, n: p.stages })),
                h('dt', {}, t('col.due')), h('dd', {}, fmtTime(p.due), ' ', p.due && new Date(p.due) < new Date() && cy.state === 'running' ? badge('overdue', t('overdue')) : null),
                p.expired ? [h('dt', {}, t('dash.expired')), h('dd', {}, String(p.expired))] : null,
                p.skipped && p.skipped.length ? [h('dt', {}, t('dash.skipped')), h('dd', {}, p.skipped.join(', '))] : null),
              h('p', { id: 'done' }, t('dash.done', { done: p.done, members: p.members })),
              (() => { const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': p.members, 'aria-valuenow': p.done, 'aria-label': t('dash.progress') }, h('span')); bar.firstChild.style.width = pct + '%'; return bar; })(),
            ] : h('p', { class: 'muted' }, t('state.' + cy.state))),
          h('section', { class: 'card chart', 'aria-labelledby': 'dist-h' }, h('h2', { id: 'dist-h' }, t('dash.dist')),
            Object.keys(counts).length ? gradeChart(counts, order, gradeName) : h('p', { class: 'muted' }, t('dash.noResults')))),
        h('section', { class: 'card', 'aria-labelledby': 'tasks-h' }, h('h2', { id: 'tasks-h' }, t('dash.tasks')),
          cy.tasks.length ? h('table', { id: 'task-counts' },
            h('thead', {}, h('tr', {}, ['col.stage', 'col.kind', 'col.state'].map((k) => h('th', { scope: 'col' }, t(k))), h('th', { scope: 'col', class: 'num' }, t('col.count')))),
            h('tbody', {}, cy.tasks.map((c) => h('tr', {}, h('td', {}, stageName.get(c.stage) || c.stage), h('td', {}, t('kind.' + c.kind)), h('td', {}, badge(c.state)), h('td', { class: 'num' }, String(c.count))))))
            : h('p', { class: 'muted' }, '—')),
        cy.overdue.length ? h('section', { class: 'card', 'aria-labelledby': 'overdue-h' }, h('h2', { id: 'overdue-h' }, t('dash.overdue')),
          h('ul', {}, cy.overdue.map((o) => h('li', {}, memberName(members, o.assigneeId), ' — ', taskTitle(o), ' (', fmtTime(o.dueAt), ')')))) : null,
        h('section', { class: 'card', 'aria-labelledby': 'results-h' }, h('h2', { id: 'results-h' }, t('dash.results')),
          res.items.length ? h('table', { id: 'results' },
            h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, t('col.rank')), h('th', { scope: 'col' }, t('col.member')), h('th', { scope: 'col', class: 'num' }, t('col.score')),
              ['col.proposed', 'col.grade', 'col.state'].map((k) => h('th', { scope: 'col' }, t(k))), h('th', { scope: 'col' }, t('results.breakdown')))),
            h('tbody', {}, res.items.map((r) => h('tr', {},
              h('td', { class: 'num' }, String(r.rank)), h('td', {}, memberName(members, r.memberId)), h('td', { class: 'num' }, fmtNum(r.finalScore)),
              h('td', {}, r.proposedGrade || '—'), h('td', {}, r.grade || '—'), h('td', {}, badge(r.state)),
              h('td', {}, h('details', { 'data-member': r.memberId }, h('summary', {}, t('results.breakdown')), breakdown(r, tpl)))))))
            : h('p', { class: 'muted' }, t('dash.noResults'))));
      const isRunning = ['pending', 'running'].includes(cy.state);
      if (running !== isRunning) {
        running = isRunning;
        fill(cancelBox, isRunning ? cancelForm(cy) : []);
      }
      return isRunning;
    };
    const openDetails = () => new Set([...data.querySelectorAll('details[open]')].map((d) => d.dataset.member));
    const load = async () => {
      const keep = openDetails();
      const [cy, res] = await Promise.all([loadCycle(id), get('/cycles/' + encodeURIComponent(id) + '/results?limit=500')]);
      if (!live()) return false;
      const more = draw(cy, res);
      keep.forEach((m) => { const d = data.querySelector('details[data-member="' + CSS.escape(m) + '"]'); if (d) d.open = true; });
      return more;
    };
    const more = await load();
    focusMain();
    if (more) {
      every(3000, async () => {
        try { if (!(await load())) clearTimers(); } catch (e) { /* the next tick retries */ }
      });
    }
  }
  function cancelForm(cy) {
    const fields = [{ path: '/reason', type: 'textarea', label: t('dash.reason'), required: true, maxLength: 2000 }];
    const general = h('div', { tabindex: '-1' });
    const btn = h('button', { type: 'submit', class: 'danger', id: 'cancel-submit' }, t('dash.cancel'));
    const form = h('form', { class: 'card', id: 'cancel', novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const body = collect(form, fields);
      const errs = validate(body, fields);
      showErrors(form, errs, general);
      if (errs.length) return;
      btn.disabled = true;
      try {
        await api('POST', '/cycles/' + encodeURIComponent(cy.id) + '/cancel', { reason: body.reason.trim() });
      } catch (ex) {
        btn.disabled = false;
        if (ex.details.length) showErrors(form, ex.details, general);
        else { fill(general, alertBox('bad', ex.message)); general.focus(); }
        return;
      }
      toast(t('dash.cancelled'));
      render();
    } }, h('h2', {}, t('dash.cancel')), general, fields.map((f) => renderField(f)), h('div', { class: 'toolbar' }, btn));
    return form;
  }

  // ---------- templates (admin) ----------
  async function templatesView(main, live) {
    const r = await get('/templates?limit=200');
    if (!live()) return;
    const general = h('div', { tabindex: '-1' });
    const publish = async (x, btn) => {
      btn.disabled = true;
      try {
        await api('POST', '/templates/' + encodeURIComponent(x.key) + '/versions/' + x.version + '/publish');
      } catch (ex) {
        btn.disabled = false;
        fill(general, alertBox('bad', ex.message, ex.details.length ? h('ul', { class: 'errors' }, ex.details.map((d) => h('li', {}, h('code', {}, d.path || '/'), ' ', d.message))) : null));
        general.focus();
        return;
      }
      toast(t('tpl.published', { key: x.key, v: x.version }));
      render();
    };
    append(main, [h('h1', {}, t('tpl.title')), general,
      h('p', {}, h('a', { class: 'btn', href: '#/templates/new', id: 'tpl-new' }, t('tpl.new'))),
      r.items.length ? h('table', { id: 'templates' },
        h('thead', {}, h('tr', {}, ['col.key', 'col.name', 'col.version', 'col.state', 'col.updated', 'col.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, r.items.map((x) => h('tr', { 'data-key': x.key, 'data-version': x.version },
          h('td', {}, h('code', {}, x.key)), h('td', {}, lang === 'en' ? x.nameEn || x.name : x.name), h('td', { class: 'num' }, 'v' + x.version), h('td', {}, badge(x.status)), h('td', {}, fmtTime(x.updatedAt)),
          h('td', {}, h('a', { href: '#/templates/' + encodeURIComponent(x.key) + '/' + x.version }, t('tpl.open')),
            x.status === 'draft' ? [' ', (() => { const b = h('button', { type: 'button', class: 'secondary' }, t('tpl.publish')); b.onclick = () => publish(x, b); return b; })()] : null)))))
        : h('p', { class: 'card' }, t('tpl.none'))]);
    focusMain();
  }
  const SKELETON = { key: 'my-template', name: { zh: '新模板', en: 'New template' }, period: 'monthly', indicators: [], raters: [], grades: [], stages: [] };
  async function editorView(main, live, key, version) {
    let meta = null;
    let text;
    if (key) {
      const v = await get('/templates/' + encodeURIComponent(key) + '/versions/' + version);
      if (!live()) return;
      meta = { key: v.key, version: v.version, status: v.status };
      text = JSON.stringify(v.body, null, 2);
    } else {
      text = localStorage.getItem('pl.tpl.new') || JSON.stringify(SKELETON, null, 2);
    }
    const status = h('span', { id: 'tpl-status', class: 'muted', role: 'status' });
    const general = h('div', { tabindex: '-1', id: 'tpl-general' });
    const errorsBox = h('div', { id: 'tpl-errors', 'aria-live': 'polite' });
    const gutter = h('pre', { 'aria-hidden': 'true' });
    const area = h('textarea', { id: 'tpl-text', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off', wrap: 'off', 'aria-describedby': 'tpl-hint tpl-errors' });
    area.value = text;
    const saveBtn = h('button', { type: 'button', id: 'tpl-save' }, t('tpl.save'));
    const publishBtn = h('button', { type: 'button', id: 'tpl-publish', class: 'secondary' }, t('tpl.publish'));
    const title = h('h1', {});
    const drawMeta = () => {
      title.textContent = meta ? meta.key + ' v' + meta.version : t('tpl.new');
      publishBtn.disabled = !meta || meta.status !== 'draft';
      fill(status, meta ? badge(meta.status) : '');
    };
    const numberLines = () => {
      const n = area.value.split('\n').length;
      let s = '';
      for (let i = 1; i <= n; i++) s += i + '\n';
      gutter.textContent = s;
      gutter.scrollTop = area.scrollTop;
    };
    const jump = (line) => {
      const lines = area.value.split('\n');
      const start = lines.slice(0, line - 1).reduce((s, l) => s + l.length + 1, 0);
      area.focus();
      area.setSelectionRange(start, start + (lines[line - 1] || '').length);
      const lh = parseFloat(getComputedStyle(area).lineHeight) || 19;
      area.scrollTop = Math.max(0, (line - 4) * lh);
    };
    const showTplErrors = (errs) => {
      if (!errs.length) { fill(errorsBox, alertBox('ok', t('tpl.valid'))); return; }
      const src = area.value;
      let map = null;
      try { JSON.parse(src); map = locatePointers(src); } catch (e) { map = null; }
      fill(errorsBox, h('div', { class: 'alert bad', role: 'status' }, h('strong', {}, t('tpl.errors', { n: errs.length })),
        h('ul', { class: 'errors' }, errs.map((e) => {
          let line = e.line || (map ? lineOfPointer(src, map, e.path) : null);
          const m = !line && /line (\d+)/.exec(e.message || '');
          if (m) line = Number(m[1]);
          return h('li', { 'data-path': e.path || '' },
            line ? h('button', { type: 'button', class: 'link', onclick: () => jump(line) }, t('tpl.line', { n: line })) : null, line ? ' ' : null,
            h('code', {}, e.path || '/'), ' ', e.message, e.value !== undefined && e.value !== '' ? h('span', { class: 'muted' }, ' (' + JSON.stringify(e.value) + ')') : null);
        }))));
    };
    let seq = 0;
    const check = async () => {
      const mine = ++seq;
      const src = area.value;
      try {
        JSON.parse(src);
      } catch (e) {
        // The browser names the position; turn it into a line for the author.
        const pos = /position (\d+)/.exec(e.message);
        const lc = /line (\d+)/.exec(e.message);
        showTplErrors([{ path: '', message: t('tpl.syntax') + ': ' + e.message, line: lc ? Number(lc[1]) : pos ? lineAt(src, Number(pos[1])) : null }]);
        return;
      }
      fill(status, t('tpl.checking'));
      try {
        const v = await api('POST', '/templates/validate', src);
        if (mine !== seq || !live()) return;
        showTplErrors(v.errors || []);
      } catch (ex) {
        if (mine === seq) fill(errorsBox, alertBox('bad', ex.message));
      } finally {
        if (mine === seq) drawMeta();
      }
    };
    let timer;
    area.addEventListener('input', () => {
      numberLines();
      if (!meta) localStorage.setItem('pl.tpl.new', area.value);
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    });
    area.addEventListener('scroll', () => { gutter.scrollTop = area.scrollTop; });
    saveBtn.onclick = async () => {
      saveBtn.disabled = true;
      fill(general);
      try {
        const v = await api('POST', '/templates', area.value);
        meta = { key: v.key, version: v.version, status: v.status };
        history.replaceState(null, '', '#/templates/' + encodeURIComponent(v.key) + '/' + v.version);
        localStorage.removeItem('pl.tpl.new');
        fill(general, h('div', { class: 'alert ok', role: 'status', id: 'tpl-saved' }, t('tpl.saved', { key: v.key, v: v.version })));
        if (v.validation) showTplErrors(v.validation.errors || []);
      } catch (ex) {
        fill(general, alertBox('bad', ex.message));
        if (ex.details.length) showTplErrors(ex.details);
      } finally {
        saveBtn.disabled = false;
        drawMeta();
      }
    };
    publishBtn.onclick = async () => {
      if (!meta) return;
      publishBtn.disabled = true;
      try {
        const v = await api('POST', '/templates/' + encodeURIComponent(meta.key) + '/versions/' + meta.version + '/publish');
        meta = { key: v.key, version: v.version, status: v.status };
        fill(general, h('div', { class: 'alert ok big', role: 'status', id: 'tpl-published' }, t('tpl.published', { key: v.key, v: v.version })));
        S.cache.clear();
      } catch (ex) {
        fill(general, alertBox('bad', ex.message));
        if (ex.details.length) showTplErrors(ex.details);
      } finally {
        drawMeta();
      }
    };
    drawMeta();
    append(main, [h('p', {}, h('a', { href: '#/templates' }, t('tpl.back'))), title,
      meta && meta.status !== 'draft' ? alertBox('warn', t('tpl.frozen', { state: t('state.' + meta.status) })) : null,
      general,
      h('div', { class: 'toolbar' }, saveBtn, publishBtn, status),
      h('label', { for: 'tpl-text' }, t('tpl.editor')),
      h('p', { class: 'hint muted small', id: 'tpl-hint' }, t('tpl.editorHint')),
      h('div', { class: 'editor' }, gutter, area),
      errorsBox]);
    numberLines();
    focusMain();
    check();
  }

  window.addEventListener('hashchange', render);
  window.addEventListener('storage', (e) => { if (e.key === 'pl.token' && e.newValue !== S.token) { S.token = e.newValue || ''; S.me = null; S.cache.clear(); render(); } });
  render();
})();
