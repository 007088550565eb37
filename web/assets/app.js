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
    'inbox.todo': ['待办（{n}）', 'To do ({n})'], 'inbox.done': ['已完成（{n}）', 'Done ({n})'], 'inbox.yourself': ['本人', 'Yourself'],
    'inbox.allDone': ['待办已全部完成。', 'Nothing left to do.'], 'inbox.noneDone': ['还没有完成的任务。', 'No finished tasks yet.'], 'col.submitted': ['提交于', 'Submitted'],
    'due.inDay': ['{n} 天后截止', 'due in {n} days'], 'due.inDay1': ['1 天后截止', 'due in 1 day'],
    'due.inHour': ['{n} 小时后截止', 'due in {n} hours'], 'due.inHour1': ['1 小时后截止', 'due in 1 hour'], 'due.inSoon': ['1 小时内截止', 'due within the hour'],
    'due.lateDay': ['已逾期 {n} 天', '{n} days overdue'], 'due.lateDay1': ['已逾期 1 天', '1 day overdue'],
    'due.lateHour': ['已逾期 {n} 小时', '{n} hours overdue'], 'due.lateHour1': ['已逾期 1 小时', '1 hour overdue'], 'due.lateSoon': ['刚刚逾期', 'just overdue'],
    'col.task': ['任务', 'Task'], 'col.stage': ['阶段', 'Stage'], 'col.due': ['截止', 'Due'], 'col.state': ['状态', 'State'],
    'col.kind': ['类型', 'Kind'], 'col.count': ['数量', 'Count'], 'col.title': ['名称', 'Title'], 'col.period': ['周期', 'Period'],
    'col.created': ['创建于', 'Created'], 'col.rank': ['排名', 'Rank'], 'col.member': ['成员', 'Member'], 'col.score': ['总分', 'Score'],
    'col.proposed': ['建议等级', 'Proposed'], 'col.grade': ['等级', 'Grade'], 'col.key': ['标识', 'Key'], 'col.version': ['版本', 'Version'],
    'col.updated': ['更新于', 'Updated'], 'col.actions': ['操作', 'Actions'], 'col.value': ['值', 'Value'], 'col.name': ['名称', 'Name'],
    'state.open': ['待完成', 'Open'], 'state.submitted': ['已提交', 'Submitted'], 'state.expired': ['已过期', 'Expired'], 'state.cancelled': ['已取消', 'Cancelled'],
    'state.pending': ['准备中', 'Pending'], 'state.running': ['进行中', 'Running'], 'state.completed': ['已完成', 'Completed'], 'state.failed': ['失败', 'Failed'], 'state.blocked': ['已暂停：数据有误', 'Blocked: data to correct'],
    'state.scheduled': ['已安排', 'Scheduled'],
    'iv.title': ['绩效面谈', 'Feedback interviews'], 'iv.mine': ['我的绩效面谈', 'My feedback interview'],
    'iv.member': ['成员', 'Member'], 'iv.manager': ['上级', 'Manager'], 'iv.time': ['时间', 'Time'],
    'iv.ics': ['日历文件', 'Calendar file'], 'iv.none': ['尚未安排面谈。', 'No interviews booked yet.'],
    'iv.with': ['与 {name}', 'with {name}'],
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
    'kind.report': ['工作汇报', 'Progress report'],
    'rep.title': ['工作汇报', 'Progress reports'], 'rep.round': ['第 {n} 期', 'Round {n}'],
    'rep.count': ['已提交 {done} / {total}', '{done} of {total} submitted'], 'rep.read': ['查看', 'Read'],
    'rep.none': ['尚无汇报。', 'No reports yet.'],
    'task.approveHint': ['退回修改时请说明需要改什么。', 'When you send it back, say what to change.'],
    'v.sendBack': ['退回计划时必须说明需要修改的内容。', 'Sending a plan back needs a comment saying what to change.'],
    'plan.title': ['待审批的计划', 'The plan to approve'],
    'plan.revision': ['第 {n} 次修改', 'revision {n}'],
    'plan.sentBack': ['{who} 退回了你的计划：', '{who} sent your plan back:'],
    'plan.previous': ['上一版计划', 'Your previous plan'],
    'plan.prefilled': ['已按上一版计划预填，修改后提交。', 'The form holds your previous plan; change it and submit.'],
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
    'results.rankOf': ['第 {rank} 名 / 共 {n} 人', '{rank} of {n}'], 'results.weight': ['权重', 'Weight'], 'results.score': ['得分', 'Score'], 'results.actual': ['实际', 'Actual'],
    'results.part': ['组成部分', 'Part'], 'results.contrib': ['计入总分', 'Counts for'], 'results.asWritten': ['模板 {v}%', '{v}% as written'],
    'results.raters': ['评价人分组', 'Rater groups'], 'results.raterGroup': ['分组', 'Group'], 'results.average': ['平均分', 'Average'],
    'results.ratersHint': ['只显示各组的平均分，不显示具体评价人。', 'Groups and their averages only: never who rated.'],
    'results.how': ['总分如何得出', 'How the total is made'], 'results.term': ['{name} {score} × {weight}%', '{name} {score} × {weight}%'],
    'results.formula': ['总分 = {terms} = {final}', 'Total = {terms} = {final}'], 'results.clamped': ['（已限制在 0–100 之间）', '(kept within 0–100)'],
    'results.range': ['基线 {base} / 挑战 {stretch}', 'baseline {base} / stretch {stretch}'], 'results.band': ['{min}–{max} 档', 'band {min}–{max}'],
    'results.met': ['达标', 'met'], 'results.notMet': ['未达标', 'not met'], 'results.before': ['调整前 {v}', 'before adjustment {v}'],
    'results.missingShort': ['缺少数据', 'missing'],
    'results.adjSentence': ['{reason}：{name} 的得分由 {before} 调整为 {after}。', '{reason}: {name} went from {before} to {after}.'],
    'results.adjSkipped': ['{reason}：条件成立，但未调整 {name}（{before}）。', '{reason}: the rule held but {name} was left at {before}.'],
    'results.missingData': ['缺少「{name}」的数据：{policy}。', 'No data for {name}: {policy}.'],
    'results.missingRater': ['「{name}」缺少{who}的评分：{policy}。', 'No {who} ratings of {name}: {policy}.'],
    'policy.renormalise': ['其权重按比例分给有数据的部分', 'its weight was shared among the parts with data'],
    'policy.zero': ['按 0 分计入', 'counted as 0'], 'policy.block': ['补齐数据前暂不计分', 'the score waits for the data'],
    'results.waiver': ['经理已豁免缺失的数据：{why}', 'A manager waived the missing data: {why}'],
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
    'dash.cancelReason': ['取消原因', 'Cancel reason'], 'dash.blockedReason': ['暂停原因', 'Blocked because'],
    'dash.resume': ['数据已更正，继续评分', 'Data corrected: score again'], 'dash.resumed': ['已继续，正在重新评分。', 'Resumed: scoring again.'], 'dash.chartLabel': ['等级分布：{list}', 'Grade distribution: {list}'],
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
    'nav.idps': ['发展计划', 'Development plans'], 'nav.org': ['组织导入', 'Organisation'],
    'signin.ssoButton': ['使用企业账号登录', 'Sign in with SSO'],
    'signin.apiToken': ['API 令牌（集成方使用）', 'API token (for integrators)'],
    'signin.apiHint': ['脚本和集成使用管理员签发的 API 令牌；员工请用企业账号登录。', 'Scripts and integrations use an API token an admin issued; staff sign in with SSO.'],
    'signin.sso': ['已启用企业单点登录（{issuer}）：也可以粘贴 SSO 令牌。', 'Company SSO is on ({issuer}): you can also paste your SSO token.'],
    'signin.ssoBack': ['正在使用单点登录令牌登录…', 'Signing in with your SSO token…'],
    'signin.switchQ': ['你当前以 {me} 的身份登录。此链接会让你以 {other} 的身份登录。', 'You are signed in as {me}. This link would sign you in as {other} instead.'],
    'signin.switchYes': ['切换为 {name}', 'Switch to {name}'], 'signin.switchNo': ['继续以 {name} 使用', 'Stay as {name}'],
    'part.total': ['总分', 'Total'], 'part.quantitative': ['量化指标', 'Quantitative'], 'part.behaviour': ['行为指标', 'Behavioural'],
    'part.self': ['自评', 'Self'], 'part.manager': ['上级', 'Manager'], 'part.peer': ['同事', 'Peers'], 'part.crossDepartment': ['跨部门', 'Cross-department'], 'part.customer': ['客户', 'Customers'],
    'tgt.title': ['我的目标', 'My targets'], 'tgt.none': ['本周期没有分解到你的目标。', 'No targets were broken down to you in this cycle.'],
    'tgt.indicator': ['指标', 'Indicator'], 'tgt.target': ['目标', 'Target'], 'tgt.actual': ['已完成', 'So far'], 'tgt.pace': ['按进度应达', 'Pace needs'],
    'tgt.behind': ['落后于进度', 'Behind pace'], 'tgt.onPace': ['符合进度', 'On pace'], 'tgt.elapsed': ['周期已过 {pct}%', '{pct}% of the period has passed'],
    'tgt.bar': ['{name}：已完成 {actual}，目标 {target}，按进度应达 {pace}', '{name}: {actual} of {target}; pace needs {pace} by now'],
    'idp.title': ['个人发展计划（IDP）', 'Individual development plans'], 'idp.none': ['暂无发展计划。', 'No development plans.'],
    'idp.member': ['成员', 'Member'], 'idp.mentor': ['导师', 'Mentor'], 'idp.due': ['截止', 'Due'], 'idp.every': ['每 {n} 天跟进', 'Check in every {n} days'],
    'idp.items': ['发展事项', 'Plan items'], 'idp.checkins': ['跟进记录', 'Check-ins'], 'idp.noCheckins': ['还没有跟进记录。', 'No check-ins yet.'],
    'idp.note': ['跟进内容', 'Check-in note'], 'idp.noteHint': ['写下完成了什么、下一步做什么。', 'Say what was done and what comes next.'],
    'idp.add': ['添加跟进', 'Add check-in'], 'idp.added': ['已记录跟进。', 'Check-in recorded.'], 'idp.open': ['查看', 'Open'], 'idp.back': ['← 发展计划', '← Development plans'],
    'idp.triggers': ['触发周期', 'Triggered by'], 'idp.trigger': ['{period}：第 {rank} 名 / 共 {n} 人，{score} 分', '{period}: rank {rank} of {n}, {score}'], 'idp.by': ['记录人', 'By'],
    'state.open_idp': ['进行中', 'Open'], 'state.closed': ['已关闭', 'Closed'],
    'cycles.preview': ['预览时间线', 'Preview the timeline'], 'cycles.confirm': ['确认发起', 'Confirm and launch'], 'cycles.edit': ['修改', 'Change'],
    'cycles.previewTitle': ['时间线预览', 'Timeline preview'], 'cycles.previewMembers': ['{n} 名成员 · 周期 {period}（{start} – {end}，{tz}）', '{n} members · period {period} ({start} – {end}, {tz})'],
    'cycles.previewNote': ['截止时间按每个阶段用满时长计算；提前完成会使后续阶段提前。', 'Deadlines assume each stage runs its full time; finishing early moves the rest forward.'],
    'cycles.opens': ['开始', 'Opens'], 'cycles.reminders': ['提醒', 'Reminders'], 'cycles.escalation': ['升级', 'Escalation'],
    'cycles.overdueReminder': ['逾期提醒', 'overdue'], 'cycles.conditional': ['（按条件执行）', '(only when its condition holds)'],
    'cycles.launching': ['正在为 {n} 名成员发起考核…', 'Launching the cycle for {n} members…'],
    'dash.stages': ['各阶段完成情况', 'Completion per stage'], 'dash.stageDone': ['{done}/{total} 已提交', '{done} of {total} submitted'],
    'dash.remind': ['立即提醒', 'Remind now'], 'dash.reminded': ['已提醒 {n} 人（逾期任务 {total} 项）', 'Reminded {n} (of {total} overdue tasks)'],
    'dash.noOverdue': ['没有逾期任务。', 'Nobody is overdue.'], 'dash.overdueTasks': ['{n} 项逾期，最早截止 {due}', '{n} overdue, earliest due {due}'],
    'dash.export': ['导出 Excel', 'Export to Excel'], 'dash.exporting': ['正在导出…', 'Exporting…'],
    'dash.distVs': ['等级分布与强制分布', 'Grades against the forced distribution'], 'dash.attain': ['各成员指标达成', 'Indicator attainment per member'],
    'dash.attainLabel': ['指标达成热力图：{n} 名成员 × {k} 个指标，颜色越深得分越高', 'Attainment heat map: {n} members × {k} indicators; darker is a higher score'],
    'dash.limitMax': ['上限', 'max'], 'dash.limitMin': ['下限', 'min'],
    'dash.metrics': ['导入指标数据', 'Import metric values'], 'dash.metricsFile': ['CSV 或 Excel 文件', 'CSV or Excel file'],
    'dash.metricsHint': ['先下载模板填写：每行一名成员，每列一个指标。', 'Download the sheet first: one row per member, one column per metric.'],
    'dash.metricsSheet': ['下载填写模板', 'Download the sheet'], 'dash.upload': ['上传', 'Upload'], 'dash.uploading': ['上传中 {pct}%', 'Uploading {pct}%'],
    'dash.processing': ['服务器处理中…', 'The server is processing…'],
    'dash.uploaded': ['已导入：新增 {inserted}，更新 {updated}，未变 {unchanged}', 'Imported: {inserted} new, {updated} updated, {unchanged} unchanged'],
    'dash.duplicate': ['这个文件之前已经导入过，没有变化。', 'This file was imported before; nothing changed.'],
    'dash.badRows': ['文件有错误，未导入任何数据：', 'The file has errors; nothing was imported:'],
    'dash.replace': ['覆盖已有数值（记入审计日志）', 'Replace values already recorded (audited)'],
    'dash.omitted': ['另有 {n} 处问题未列出', '{n} more problems not listed'],
    'tpl.retire': ['停用', 'Retire'], 'tpl.retired': ['已停用 {key} v{v}', 'Retired {key} v{v}'], 'tpl.compare': ['对比版本', 'Compare versions'],
    'tpl.shared': ['内置', 'Built-in'],
    'tpl.sharedHelp': ['内置模板属于所有组织共用的模板库，不能在这里停用。打开并保存一个内置模板，即成为本组织自己的新版本，可以发布和停用。', 'Built-in templates belong to the catalogue every organisation shares, so they cannot be retired here. Open one and save it to make your organisation\'s own version, which you can publish and retire.'],
    'tpl.diffTitle': ['{key}：v{from} 与 v{to} 对比', '{key}: v{from} against v{to}'], 'tpl.from': ['旧版本', 'From'], 'tpl.to': ['新版本', 'To'],
    'tpl.changes': ['{n} 处字段变化', '{n} field changes'], 'tpl.same': ['两个版本内容相同。', 'The two versions are the same.'],
    'tpl.op.added': ['新增', 'added'], 'tpl.op.removed': ['删除', 'removed'], 'tpl.op.changed': ['修改', 'changed'],
    'tpl.sideBySide': ['并排对比', 'Side by side'], 'tpl.versions': ['{n} 个版本', '{n} versions'],
    'org.title': ['组织导入', 'Organisation import'], 'org.file': ['成员 CSV 或组织 JSON 文件', 'Members CSV or organisation JSON file'],
    'org.paste': ['或粘贴内容', 'Or paste the content'], 'org.hint': ['CSV 第一行为列名：{cols}', 'The CSV\'s first line names the columns: {cols}'],
    'org.check': ['检查（不写入）', 'Check (writes nothing)'], 'org.import': ['导入', 'Import'],
    'org.ok': ['检查通过：将新建 {tc} 个团队、更新 {tu} 个；新建 {mc} 名成员、更新 {mu} 名。', 'Looks good: {tc} teams created and {tu} updated; {mc} members created and {mu} updated.'],
    'org.done': ['已导入：新建 {tc} 个团队、更新 {tu} 个；新建 {mc} 名成员、更新 {mu} 名。', 'Imported: {tc} teams created and {tu} updated; {mc} members created and {mu} updated.'],
    'org.bad': ['{n} 行有问题，未导入任何数据。修正后重新检查。', '{n} bad rows; nothing was imported. Fix them and check again.'],
    'org.where': ['位置', 'Where'], 'org.value': ['值', 'Value'], 'org.problem': ['问题', 'Problem'], 'org.empty': ['请选择文件或粘贴内容。', 'Choose a file or paste the content.'],
    'cal.blocked': ['提交前请先让分布满足限制：', 'Bring the distribution within its limits before submitting:'],
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
  const browserTz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const validTz = (z) => { try { new Intl.DateTimeFormat('en', { timeZone: z }); return !!z; } catch (e) { return false; } };
  // zone is the reader's time zone: their own choice, else their profile's, else the browser's.
  const zone = () => [localStorage.getItem('pl.tz'), S.me && S.me.timezone, browserTz].find(validTz) || 'UTC';
  const locale = () => (lang === 'zh' ? 'zh-CN' : 'en-GB');
  // Building an Intl formatter costs far more than using one; a 500-row table formats thousands of values.
  const formatters = new Map();
  const formatter = (kind, opts) => {
    const key = kind + locale() + JSON.stringify(opts);
    if (!formatters.has(key)) formatters.set(key, new Intl[kind](locale(), opts));
    return formatters.get(key);
  };
  const fmtTime = (iso, opts) => {
    if (!iso) return '—';
    const d = new Date(iso);
    return isNaN(d) ? iso : formatter('DateTimeFormat', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone(), ...opts }).format(d);
  };
  const fmtDate = (iso) => fmtTime(iso, { timeStyle: undefined });
  const fmtNum = (n, digits = 2) => (typeof n === 'number' ? formatter('NumberFormat', { maximumFractionDigits: digits }).format(n) : String(n ?? '—'));

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
      this.omitted = body.omitted || 0;
    }
  }
  const S = { token: localStorage.getItem('pl.token') || '', me: null, cache: new Map(), timers: [] };
  // An SSO sign-in leaves an HttpOnly session cookie the browser sends by
  // itself, and a readable perfloop_csrf cookie whose value every request
  // repeats in X-CSRF-Token (the server refuses cookie-signed changes
  // without it). A pasted API token goes as a bearer header instead.
  const csrfToken = () => { const m = /(?:^|;\s*)perfloop_csrf=([^;]+)/.exec(document.cookie); return m ? m[1] : ''; };
  const authHeaders = (token = S.token) => (token ? { Authorization: 'Bearer ' + token } : csrfToken() ? { 'X-CSRF-Token': csrfToken() } : {});
  async function api(method, path, body, opts = {}) {
    const headers = { Accept: 'application/json' };
    const token = opts.token !== undefined ? opts.token : S.token;
    Object.assign(headers, authHeaders(token));
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
  const loadMembers = () => cached('members', async () => {
    const out = new Map();
    for (let off = 0; ; off += 500) {
      const r = await get('/members?limit=500&inactive=true&offset=' + off);
      r.items.forEach((m) => out.set(m.id, m));
      if (!r.items.length || out.size >= r.total) return out;
    }
  });
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
    const csrf = csrfToken();
    if (csrf) {
      // End the session on the server too; forget the cookie at once so the
      // sign-in page does not take the browser for signed in meanwhile.
      document.cookie = 'perfloop_csrf=; Max-Age=0; path=/';
      fetch('/auth/logout', { method: 'POST', headers: { 'X-CSRF-Token': csrf } }).catch(() => {});
    }
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
    [/^#\/templates\/([^/]+)\/diff\/(\d+)\/(\d+)$/, diffView, ['admin']],
    [/^#\/idps$/, idpsView],
    [/^#\/idps\/([^/]+)$/, idpView],
    [/^#\/org$/, orgImportView, ['admin']],
  ];
  function header() {
    const top = $('#top');
    fill(top);
    if (!S.me) { top.hidden = true; return; }
    top.hidden = false;
    const links = [['#/inbox', 'nav.inbox', 'inbox'], ['#/results', 'nav.results', 'results']];
    links.push(['#/idps', 'nav.idps', 'idps']);
    if (isLead()) links.push(['#/cycles', 'nav.cycles', 'cycles']);
    if (S.me.role === 'admin') links.push(['#/templates', 'nav.templates', 'templates'], ['#/org', 'nav.org', 'org']);
    const here = location.hash.split('/')[1] || '';
    const langSel = h('select', { 'aria-label': t('nav.lang'), id: 'lang', onchange: (e) => setLang(e.target.value) },
      h('option', { value: 'zh', selected: lang === 'zh' }, '中文'), h('option', { value: 'en', selected: lang === 'en' }, 'English'));
    append(top, [
      h('span', { class: 'brand' }, 'Perfloop'),
      h('nav', { 'aria-label': 'Main' }, links.map(([href, key, name]) =>
        h('a', { href, 'data-nav': name, 'aria-current': here === name || (here === 'task' && name === 'inbox') ? 'page' : null }, t(key)))),
      h('div', { class: 'who' },
        h('span', { id: 'me' }, S.me.name + ' · ' + t('role.' + S.me.role)),
        tzSelect(),
        langSel,
        h('button', { type: 'button', id: 'signout', onclick: () => signOut() }, t('nav.signout'))),
    ]);
  }
  function tzSelect() {
    const zones = [...new Set([zone(), S.me.timezone, browserTz, 'Asia/Shanghai', 'UTC'].filter(validTz))];
    return h('select', { id: 'tz', 'aria-label': t('nav.tz'), title: t('nav.tz'), onchange: (e) => { localStorage.setItem('pl.tz', e.target.value); render(); } },
      zones.map((z) => h('option', { value: z, selected: z === zone() }, z)));
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
    // An SSO provider sends people back with its token in the fragment.
    const sso = /(?:^|[#&/])(?:id_token|access_token)=([^&]+)/.exec(location.hash);
    if (sso) {
      const incoming = decodeURIComponent(sso[1]);
      history.replaceState(null, '', '#/inbox');
      fill(main, h('p', { class: 'muted' }, t('signin.ssoBack')));
      // A link carrying someone else's token must not swap who you are unasked.
      const go = !S.token || S.token === incoming || await confirmSwitch(main, incoming);
      if (!live()) return;
      if (go) {
        S.token = incoming; S.me = null; S.cache.clear();
        localStorage.setItem('pl.token', S.token);
      }
    }
    const hash = location.hash || '';
    const signedIn = S.token || csrfToken();
    if (!signedIn && hash !== '#/signin') { location.hash = '#/signin'; return; }
    if (signedIn && !S.me) {
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
  // confirmSwitch asks before a token in the URL replaces the signed-in
  // member with another; it resolves true to switch. A token that names
  // no one, or the same member, needs no question.
  async function confirmSwitch(main, incoming) {
    let me = S.me, other;
    try {
      if (!me) me = await api('GET', '/me', undefined, { quiet401: true });
    } catch (e) { return true; }
    try {
      other = await api('GET', '/me', undefined, { quiet401: true, token: incoming });
    } catch (e) { return false; }
    if (other.id === me.id) return true;
    const who = (m) => m.name + ' <' + m.email + '>';
    return new Promise((resolve) => {
      const yes = h('button', { type: 'button', id: 'switch-yes', onclick: () => resolve(true) }, t('signin.switchYes', { name: other.name }));
      const no = h('button', { type: 'button', id: 'switch-no', class: 'secondary', onclick: () => resolve(false) }, t('signin.switchNo', { name: me.name }));
      fill(main, h('div', { class: 'card', id: 'switch-user', role: 'alertdialog', 'aria-labelledby': 'switch-q' },
        h('p', { id: 'switch-q' }, t('signin.switchQ', { me: who(me), other: who(other) })), h('div', { class: 'actions' }, no, ' ', yes)));
      no.focus();
    });
  }
  function focusMain() {
    const h1 = $('#main h1');
    if (h1) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: true }); }
  }

  // ---------- sign in ----------
  // signinView is the front door: with SSO configured, one "Sign in with
  // SSO" button, and pasting an API token folded away for integrators;
  // without it (perfloop dev), the token form.
  async function signinView(main, live) {
    let conf = {};
    try { conf = (await api('GET', '/ui/config', undefined, { quiet401: true })) || {}; } catch (e) { conf = {}; }
    if (!live()) return;
    const sso = Boolean(conf.login);
    const err = h('div', { class: 'err', id: 'token-err', role: 'alert' });
    const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-hint token-err' });
    const form = h('form', { class: sso ? '' : 'card signin', id: 'signin', onsubmit: async (e) => {
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
    sso ? null : h('h1', {}, t('signin.title')),
    sso ? null : (S.flash ? alertBox('warn', S.flash) : null),
    h('div', { class: 'field' },
      h('label', { for: 'token' }, t('signin.token')),
      input,
      h('p', { class: 'hint', id: 'token-hint' }, t(sso ? 'signin.apiHint' : 'signin.hint')),
      conf.sso ? h('p', { class: 'hint', id: 'sso-hint' }, t('signin.sso', { issuer: conf.ssoIssuer || 'OIDC' })) : null,
      err),
    h('div', { class: 'toolbar' },
      h('button', { type: 'submit', id: 'signin-submit', class: sso ? 'secondary' : null }, t('signin.submit')),
      sso ? null : langPicker()));
    if (!sso) {
      S.flash = null;
      main.append(form);
      input.focus();
      return;
    }
    const button = h('a', { class: 'btn', id: 'sso-login', href: conf.login }, t('signin.ssoButton'));
    main.append(h('div', { class: 'card signin', id: 'signin-sso' },
      h('h1', {}, t('signin.title')),
      S.flash ? alertBox('warn', S.flash) : null,
      h('p', {}, button),
      h('details', { id: 'api-token' }, h('summary', {}, t('signin.apiToken')), form),
      h('div', { class: 'toolbar' }, langPicker())));
    S.flash = null;
    button.focus();
  }
  function langPicker() {
    return h('select', { 'aria-label': t('nav.lang'), onchange: (e) => setLang(e.target.value) },
      h('option', { value: 'zh', selected: lang === 'zh' }, '中文'), h('option', { value: 'en', selected: lang === 'en' }, 'English'));
  }

  // ---------- inbox ----------
  const taskTitle = (task) => (lang === 'en' ? task.titleEn || task.title : task.title || task.titleEn);
  const isOverdue = (task) => task.state === 'open' && task.dueAt && new Date(task.dueAt) < new Date();
  // relDue says when an open task is due in words ("due in 2 days", "1 day
  // overdue"): days from a day out, hours closer in.
  function relDue(iso, now = Date.now()) {
    const ms = new Date(iso).getTime() - now;
    if (isNaN(ms)) return '';
    const hours = Math.abs(ms) / 3.6e6;
    const [unit, n] = hours >= 24 ? ['Day', Math.round(hours / 24)] : hours >= 1 ? ['Hour', Math.round(hours)] : ['Soon', 0];
    return t((ms < 0 ? 'due.late' : 'due.in') + unit + (n === 1 ? '1' : ''), { n });
  }
  // stageLabel names a task's stage as its template does; a report round
  // adds its number and an IDP review says so, never the raw key.
  function stageLabel(task) {
    const round = reportRound(task.stage);
    const name = task.stageName ? txt(task.stageName) : (task.stage || '').startsWith('idp:') ? t('kind.idp_review') : '—';
    return round ? name + ' · ' + t('rep.round', { n: round.n }) : name;
  }
  async function inboxView(main, live) {
    const box = h('div', { id: 'inbox-box' });
    let tab = S.inboxTab || 'todo';
    let rows = [];
    const tabBtn = (key) => h('button', { type: 'button', role: 'tab', id: 'tab-' + key, class: 'tab', 'aria-controls': 'inbox-box',
      onclick: () => { tab = S.inboxTab = key; draw(); } });
    const tabs = { todo: tabBtn('todo'), done: tabBtn('done') };
    append(main, [h('h1', {}, t('inbox.title')), h('p', { class: 'muted small' }, t('inbox.auto')),
      h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('inbox.title') }, tabs.todo, tabs.done), box]);
    focusMain();
    const draw = () => {
      const todo = rows.filter((x) => x.state === 'open');
      const done = rows.filter((x) => x.state !== 'open');
      for (const [key, list] of [['todo', todo], ['done', done]]) {
        tabs[key].textContent = t('inbox.' + key, { n: list.length });
        tabs[key].setAttribute('aria-selected', String(tab === key));
      }
      const shown = tab === 'todo' ? todo : done;
      if (!rows.length) { fill(box, h('p', { class: 'card', id: 'inbox-empty' }, t('inbox.empty'))); return; }
      if (!shown.length) { fill(box, h('p', { class: 'card', id: 'inbox-none' }, t(tab === 'todo' ? 'inbox.allDone' : 'inbox.noneDone'))); return; }
      fill(box, h('table', { id: 'inbox', 'data-tab': tab },
        h('thead', {}, h('tr', {}, ['col.task', 'task.subject', 'task.cycle', 'col.stage', tab === 'todo' ? 'col.due' : 'col.submitted', 'col.state'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, shown.map((task) => {
          const late = isOverdue(task);
          const self = !task.subjectId || task.subjectId === S.me.id;
          return h('tr', { class: late ? 'overdue' : null, 'data-task': task.id, 'data-kind': task.kind },
            h('td', {}, h('a', { href: '#/task/' + task.id }, taskTitle(task)), h('div', { class: 'muted small' }, t('kind.' + task.kind))),
            h('td', { class: 'subject' }, self ? t('inbox.yourself') : task.subjectName || '—'),
            h('td', { class: 'cycle' }, task.cycleTitle || '—'),
            h('td', { class: 'stage' }, stageLabel(task)),
            tab === 'todo'
              ? h('td', { class: 'due' }, h('span', { class: 'rel' + (late ? ' late' : '') }, relDue(task.dueAt)), h('div', { class: 'muted small' }, h('time', { datetime: task.dueAt }, fmtTime(task.dueAt))))
              : h('td', { class: 'due' }, h('time', { datetime: task.submittedAt || task.dueAt }, fmtTime(task.submittedAt || task.dueAt))),
            h('td', {}, badge(task.state), late ? [' ', badge('overdue', t('overdue'))] : null));
        }))));
    };
    const load = async () => {
      const r = await get('/inbox?limit=100');
      if (!live()) return;
      const due = (x) => (x.dueAt ? new Date(x.dueAt).getTime() : Infinity);
      const rank = (x) => (isOverdue(x) ? 0 : x.state === 'open' ? 1 : 2);
      rows = r.items.sort((a, b) => rank(a) - rank(b) || due(a) - due(b));
      draw();
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
        return [{ path: '/approved', type: 'radio', label: t('task.approved'), required: true, options: [{ value: true, label: t('yes') }, { value: false, label: t('no') }] },
          { ...comment, hint: t('task.approveHint'), requiredWhen: (b) => b.approved === false, requiredMsg: t('v.sendBack') }];
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
      if (mine && live()) main.append(h('section', { class: 'card' }, h('h2', {}, t('results.title')), breakdown(mine, tpl, rankedOf(cycle, r))));
    }
    const more = task.context || {};
    if (more.plan) main.append(h('section', { class: 'card', id: 'plan-under-review' },
      h('h2', {}, t('plan.title'), more.plan.revision ? ' (' + t('plan.revision', { n: more.plan.revision }) + ')' : ''), planList(more.plan)));
    if (more.review) main.append(alertBox('warn', t('plan.sentBack', { who: memberName(members, more.review.reviewerId) }),
      h('div', {}, h('p', { id: 'plan-review-comment' }, more.review.comment), h('details', {}, h('summary', {}, t('plan.previous')), planList(more.review.previous)))));
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
    if (!draft && !closed && more.review && more.review.previous && more.review.previous.data) {
      fields.forEach((f) => writeField(formEl, f, ptrGet(more.review.previous.data, f.path)));
      general.append(h('p', { class: 'hint', id: 'plan-prefilled' }, t('plan.prefilled')));
    }
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

  // planList shows a submitted plan field by field, labelled as its form says.
  function planList(plan) {
    const data = plan.data || {};
    const form = plan.form || [];
    const keys = form.length ? form.map((f) => f.key) : Object.keys(data);
    return h('dl', { class: 'kv' }, keys.map((k) => {
      const f = form.find((x) => x.key === k);
      const v = data[k];
      return [h('dt', {}, f ? txt(f.label, k) : k), h('dd', { class: 'pre' }, v == null || v === '' ? '—' : String(v))];
    }));
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
    let broken = [];
    const changes = () => results.filter((r) => moves[r.memberId]).map((r) => ({ memberId: r.memberId, from: resultGrade(r), to: moves[r.memberId].to, reason: moves[r.memberId].reason.trim() }));
    function draw() {
      const counts = {};
      results.forEach((r) => { counts[current(r)] = (counts[current(r)] || 0) + 1; });
      const report = limitReport(tpl.distribution, counts, results.length);
      broken = report.filter((x) => x.broken);
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
      // The server refuses a broken distribution too; saying so here saves the round trip.
      if (broken.length) {
        fill(general, h('div', { class: 'alert bad big', role: 'alert', id: 'cal-error', tabindex: '-1' }, h('strong', {}, t('cal.broken')), h('br'), t('cal.blocked'),
          h('ul', {}, broken.map((x) => h('li', {}, x.text)))));
        general.focus();
        return;
      }
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
  // partNames names score parts: the fixed ones, then each rater by its role.
  function partNames(tpl) {
    const out = new Map(['total', 'quantitative', 'behaviour'].map((k) => [k, t('part.' + k)]));
    for (const r of tpl.raters || []) out.set(r.key, D['part.' + r.role] ? t('part.' + r.role) + (r.key !== r.role ? ' (' + r.key + ')' : '') : r.key);
    return out;
  }
  // breakdown explains one result as scoring stored it: one total, the
  // formula in words, each indicator against its target, the rater groups
  // (never who rated), adjustments as sentences and every gap with its policy.
  // n is how many members were ranked, when the reader can know it.
  function breakdown(r, tpl, n) {
    const names = new Map((tpl.indicators || []).map((i) => [i.key, txt(i.name, i.key)]));
    const parts = partNames(tpl);
    const e = r.explanation;
    const indName = (x) => txt(x.name, names.get(x.key) || x.key);
    const policy = (p) => t('policy.' + (p || 'renormalise'));
    const num = (v) => (typeof v === 'number' ? fmtNum(v) : '—');
    const head = h('dl', { class: 'kv' },
      h('dt', {}, t('results.final')), h('dd', { class: 'final-score' }, h('strong', {}, fmtNum(r.finalScore))),
      h('dt', {}, t('results.grade')), h('dd', {}, r.grade || r.proposedGrade || '—', r.proposedGrade && r.grade && r.grade !== r.proposedGrade ? ' (' + t('col.proposed') + ' ' + r.proposedGrade + ')' : ''),
      h('dt', {}, t('results.rank')), h('dd', { class: 'rank' }, n ? t('results.rankOf', { rank: r.rank, n }) : String(r.rank)),
      r.bonusAmount ? [h('dt', {}, t('results.bonus')), h('dd', {}, new Intl.NumberFormat(locale(), { style: 'currency', currency: r.bonusCurrency || 'CNY' }).format(r.bonusAmount))] : null,
      r.promotion ? [h('dt', {}, t('results.promotion')), h('dd', {}, t('yes'))] : null,
      h('dt', {}, t('results.state')), h('dd', {}, badge(r.state)));
    if (!e) {
      // Results computed before explanations were stored: the indicator scores alone.
      const rows = Object.entries(r.indicators || {}).filter(([, v]) => typeof v === 'number');
      return h('div', { class: 'breakdown' }, head, h('h3', {}, t('results.indicators')),
        rows.length ? h('table', { class: 'ind-table' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('tgt.indicator')), h('th', { scope: 'col', class: 'num' }, t('results.score')))),
          h('tbody', {}, rows.map(([k, v]) => h('tr', { 'data-indicator': k }, h('td', {}, names.get(k) || k), h('td', { class: 'num' }, fmtNum(v)))))) : h('p', { class: 'muted' }, t('results.nothing')));
    }
    const partName = (k) => parts.get(k) || names.get(k) || k;
    // A missing part weighs nothing here; the gaps below say what became of it.
    const terms = (e.parts || []).filter((p) => !p.missing || p.weight > 0).map((p) => t('results.term', { name: partName(p.key), score: p.missing ? '0' : fmtNum(p.score), weight: fmtNum(p.weight) }));
    if (e.constant) terms.unshift(fmtNum(e.constant));
    const formula = h('p', { class: 'formula', id: 'result-formula' }, t('results.formula', { terms: terms.join(' + '), final: fmtNum(e.final) }),
      e.clamped ? ' ' + t('results.clamped') : '');
    const target = (x) => {
      if (x.target != null) return fmtNum(x.target);
      if (x.baseline != null && x.stretch != null) return t('results.range', { base: fmtNum(x.baseline), stretch: fmtNum(x.stretch) });
      if (x.band) return t('results.band', { min: fmtNum(x.band.min), max: fmtNum(x.band.max) });
      return '—';
    };
    const actual = (x) => {
      if (x.missing) return h('span', { class: 'badge overdue' }, t('results.missingShort'));
      if (x.value != null) return [fmtNum(x.value), x.met != null ? ' · ' + t(x.met ? 'results.met' : 'results.notMet') : '', x.source ? h('span', { class: 'muted small' }, ' (' + x.source + ')') : ''];
      if (x.raters && x.raters.length) return x.raters.filter((g) => !g.missing).map((g) => partName(g.key) + ' ' + fmtNum(g.average)).join(' · ');
      return '—';
    };
    const indTable = h('table', { class: 'ind-table', id: 'result-indicators' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('tgt.indicator')), ['results.weight', 'tgt.target', 'results.actual', 'results.score'].map((k) => h('th', { scope: 'col', class: 'num' }, t(k))))),
      h('tbody', {}, (e.indicators || []).map((x) => h('tr', { 'data-indicator': x.key, class: x.missing ? 'missing' : null },
        h('td', {}, indName(x)), h('td', { class: 'num' }, fmtNum(x.weight) + '%'), h('td', { class: 'num' }, target(x)), h('td', { class: 'num' }, actual(x)),
        h('td', { class: 'num' }, x.missing ? '—' : fmtNum(x.score), x.rawScore != null && !x.missing && Math.abs(x.rawScore - x.score) > 0.005 ? h('span', { class: 'muted small' }, ' (' + t('results.before', { v: fmtNum(x.rawScore) }) + ')') : null)))));
    const partTable = h('table', { id: 'result-parts' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('results.part')), ['results.weight', 'results.score', 'results.contrib'].map((k) => h('th', { scope: 'col', class: 'num' }, t(k))))),
      h('tbody', {}, (e.parts || []).map((p) => h('tr', { 'data-part': p.key, class: p.missing ? 'missing' : null }, h('td', {}, partName(p.key)),
        h('td', { class: 'num' }, fmtNum(p.weight) + '%', p.templateWeight != null && Math.abs(p.templateWeight - p.weight) > 0.005 ? h('span', { class: 'muted small' }, ' (' + t('results.asWritten', { v: fmtNum(p.templateWeight) }) + ')') : null),
        h('td', { class: 'num' }, p.missing ? h('span', { class: 'badge overdue' }, t('results.missingShort')) : fmtNum(p.score)),
        h('td', { class: 'num' }, p.missing ? '—' : fmtNum((p.weight * p.score) / 100))))));
    const raters = (e.raters || []).filter((g) => g.weight > 0);
    const raterTable = raters.length ? h('table', { id: 'result-raters' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('results.raterGroup')), ['results.weight', 'results.average'].map((k) => h('th', { scope: 'col', class: 'num' }, t(k))))),
      h('tbody', {}, raters.map((g) => h('tr', { 'data-rater': g.key }, h('td', {}, partName(g.key)), h('td', { class: 'num' }, fmtNum(g.weight) + '%'),
        h('td', { class: 'num' }, g.missing || g.average == null ? h('span', { class: 'badge overdue' }, t('results.missingShort')) : fmtNum(g.average)))))) : null;
    const adjustments = (e.adjustments || []).map((a) => h('li', { 'data-adjustment': a.key },
      t(a.skipped ? 'results.adjSkipped' : 'results.adjSentence', { reason: txt(a.reason, a.key), name: names.get(a.indicator) || a.indicator, before: fmtNum(a.before), after: fmtNum(a.after) })));
    const missing = (e.missing || []).map((m) => h('li', { 'data-missing': m.key, class: m.policy === 'block' ? 'blocked' : null },
      m.kind === 'rater' ? t('results.missingRater', { who: partName(m.key), name: names.get(m.in) || m.in, policy: policy(m.policy) })
        : t('results.missingData', { name: partName(m.key), policy: policy(m.policy) })));
    return h('div', { class: 'breakdown' }, head,
      r.blocked ? alertBox('warn', r.blocked) : null,
      h('h3', {}, t('results.how')), formula,
      h('h3', {}, t('results.indicators')), indTable,
      h('div', { class: 'grid2' }, h('div', {}, h('h3', {}, t('results.parts')), partTable), raterTable ? h('div', {}, h('h3', {}, t('results.raters')), raterTable, h('p', { class: 'muted small' }, t('results.ratersHint'))) : null),
      h('h3', {}, t('results.adjustments')), adjustments.length ? h('ul', { id: 'result-adjustments' }, adjustments) : h('p', { class: 'muted' }, t('results.nothing')),
      missing.length ? [h('h3', {}, t('results.missing')), h('ul', { id: 'result-missing' }, missing)] : null,
      e.waiver ? h('p', { id: 'result-waiver' }, t('results.waiver', { why: e.waiver })) : null);
  }
  // rankedOf is how many members a cycle ranks: its members, or for a lead
  // the results listed; an employee, who sees only their own, relies on the first.
  const rankedOf = (cycle, res) => (cycle && cycle.progress && cycle.progress.members) || (isLead() && res && res.total) || 0;
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
    const [targets, ivs] = await Promise.all([get('/cycles/' + encodeURIComponent(id) + '/targets/progress').catch(() => ({ items: [] })),
      get('/me/interviews').catch(() => ({ items: [] }))]);
    if (!live()) return;
    const iv = ivs.items.find((x) => x.cycleId === cycle.id);
    append(main, [h('p', {}, h('a', { href: '#/results' }, '← ' + t('results.title'))), h('h1', {}, cycle.title),
      iv ? h('section', { class: 'card', id: 'my-interview' }, h('h2', {}, t('iv.mine')),
        h('p', {}, h('time', { datetime: iv.startsAt }, fmtTime(iv.startsAt)), ' ', t('iv.with', { name: iv.managerName || iv.managerId }), ' ', badge(iv.state), ' ', icsLink(cycle.id, iv))) : null,
      targetsSection(targets.items, tpl),
      h('section', { class: 'card', id: 'my-result' }, mine ? breakdown(mine, tpl, rankedOf(cycle, res)) : h('p', {}, t('results.pending'))),
      !mine && isLead() ? h('p', {}, h('a', { href: '#/cycles/' + cycle.id }, t('results.dashboard'))) : null]);
    focusMain();
  }

  // targetsSection shows each target with the values so far against the
  // pace the period needs by now: the bar is what is done, the mark the pace.
  function targetsSection(items, tpl) {
    const names = new Map((tpl.indicators || []).map((i) => [i.key, txt(i.name, i.key)]));
    const sec = h('section', { class: 'card', id: 'my-targets', 'aria-labelledby': 'tgt-h' }, h('h2', { id: 'tgt-h' }, t('tgt.title')));
    if (!items.length) { sec.append(h('p', { class: 'muted' }, t('tgt.none'))); return sec; }
    sec.append(h('p', { class: 'muted small' }, t('tgt.elapsed', { pct: Math.round(items[0].elapsed * 100) })),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('tgt.indicator')), ['tgt.actual', 'tgt.pace', 'tgt.target'].map((k) => h('th', { scope: 'col', class: 'num' }, t(k))), h('th', { scope: 'col' }, t('dash.progress')))),
        h('tbody', {}, items.map((x) => {
          const name = names.get(x.indicator) || x.indicator;
          const scale = Math.max(x.value, x.actual, 1);
          const bar = h('div', { class: 'progress pace', role: 'img', 'aria-label': t('tgt.bar', { name, actual: fmtNum(x.actual), target: fmtNum(x.value), pace: fmtNum(x.expected) }) }, h('span'), h('i'));
          bar.firstChild.style.width = Math.min(100, (100 * x.actual) / scale) + '%';
          bar.lastChild.style.left = Math.min(100, (100 * x.expected) / scale) + '%';
          if (x.behind) bar.classList.add('behind');
          return h('tr', { 'data-indicator': x.indicator }, h('td', {}, name), h('td', { class: 'num' }, fmtNum(x.actual)), h('td', { class: 'num' }, fmtNum(x.expected, 1)),
            h('td', { class: 'num' }, fmtNum(x.value) + (x.unit ? ' ' + x.unit : '')),
            h('td', {}, bar, ' ', x.behind ? badge('overdue', t('tgt.behind')) : badge('submitted', t('tgt.onPace'))));
        }))));
    return sec;
  }

  // ---------- development plans ----------
  async function idpsView(main, live) {
    const [r, members] = await Promise.all([get('/idps?limit=200'), loadMembers().catch(() => null)]);
    if (!live()) return;
    append(main, [h('h1', {}, t('idp.title')),
      r.items.length ? h('table', { id: 'idps' },
        h('thead', {}, h('tr', {}, ['idp.member', 'idp.mentor', 'idp.due', 'col.state', 'col.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, r.items.map((p) => h('tr', { 'data-idp': p.id },
          h('td', {}, memberName(members, p.memberId)), h('td', {}, p.mentorId ? memberName(members, p.mentorId) : '—'), h('td', {}, fmtDate(p.dueAt)),
          h('td', {}, badge(p.state, t(p.state === 'open' ? 'state.open_idp' : 'state.' + p.state))),
          h('td', {}, h('a', { href: '#/idps/' + p.id }, t('idp.open')))))))
        : h('p', { class: 'card', id: 'idps-empty' }, t('idp.none'))]);
    focusMain();
  }
  async function idpView(main, live, id) {
    const [p, members] = await Promise.all([get('/idps/' + encodeURIComponent(id)), loadMembers().catch(() => null)]);
    if (!live()) return;
    const items = Array.isArray(p.items) ? p.items : [];
    const list = h('ol', { id: 'checkins' });
    const drawCheckins = () => fill(list, p.checkins.length ? p.checkins.map((c) => h('li', {}, h('strong', {}, fmtTime(c.at)), ' · ', memberName(members, c.by), h('br'), c.note)) : h('li', { class: 'muted' }, t('idp.noCheckins')));
    drawCheckins();
    const canWrite = p.state === 'open' && (S.me.id === p.memberId || S.me.id === p.mentorId);
    const fields = [{ path: '/note', type: 'textarea', label: t('idp.note'), required: true, maxLength: 4000, hint: t('idp.noteHint') }];
    const general = h('div', { tabindex: '-1' });
    const btn = h('button', { type: 'submit', id: 'checkin-submit' }, t('idp.add'));
    const form = canWrite ? h('form', { class: 'card', id: 'checkin', novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const body = collect(form, fields);
      const errs = validate(body, fields);
      showErrors(form, errs, general);
      if (errs.length) return;
      btn.disabled = true;
      try {
        const c = await api('POST', '/idps/' + encodeURIComponent(p.id) + '/checkins', { note: body.note.trim() });
        p.checkins.push(c);
        drawCheckins();
        form.reset();
        toast(t('idp.added'));
      } catch (ex) {
        if (ex.details.length) showErrors(form, ex.details, general);
        else { fill(general, alertBox('bad', ex.message)); general.focus(); }
      } finally { btn.disabled = false; }
    } }, h('h2', {}, t('idp.add')), general, fields.map((f) => renderField(f)), h('div', { class: 'toolbar' }, btn)) : null;
    append(main, [h('p', {}, h('a', { href: '#/idps' }, t('idp.back'))), h('h1', {}, t('idp.title'), ' · ', memberName(members, p.memberId)),
      h('dl', { class: 'kv card' },
        h('dt', {}, t('idp.member')), h('dd', {}, memberName(members, p.memberId)),
        h('dt', {}, t('idp.mentor')), h('dd', {}, p.mentorId ? memberName(members, p.mentorId) : '—'),
        h('dt', {}, t('idp.due')), h('dd', {}, fmtDate(p.dueAt)),
        p.checkinEveryDays ? [h('dt', {}, t('idp.checkins')), h('dd', {}, t('idp.every', { n: p.checkinEveryDays }))] : null,
        Array.isArray(p.triggers) && p.triggers.length ? [h('dt', {}, t('idp.triggers')), h('dd', { id: 'idp-triggers' }, p.triggers.map((x) => (x.rank ? t('idp.trigger', { period: x.period, rank: x.rank, n: x.teamSize, score: fmtNum(x.score) }) : x.period)).join('; '))] : null,
        h('dt', {}, t('col.state')), h('dd', {}, badge(p.state, t(p.state === 'open' ? 'state.open_idp' : 'state.' + p.state)))),
      h('section', { class: 'card', 'aria-labelledby': 'idp-items-h' }, h('h2', { id: 'idp-items-h' }, t('idp.items')),
        items.length ? h('ul', { id: 'idp-items' }, items.map((it) => h('li', {}, typeof it === 'string' ? it : txt(it.title || it.name, '') || it.action || JSON.stringify(it)))) : h('p', { class: 'muted' }, t('results.nothing'))),
      h('section', { class: 'card', 'aria-labelledby': 'idp-ci-h' }, h('h2', { id: 'idp-ci-h' }, t('idp.checkins')), list),
      form]);
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
    const submitBtn = h('button', { type: 'submit', id: 'launch-submit' }, t('cycles.preview'));
    const previewBox = h('div', { id: 'launch-preview', 'aria-live': 'polite' });
    const serverErrors = (ex) => {
      if (ex.details.length) showErrors(form, ex.details.map((d) => (d.path === '/version' ? { ...d, path: '/templateKey' } : d)), general);
      else { fill(general, alertBox('bad', ex.message)); general.focus(); }
    };
    const setLocked = (on) => form.querySelectorAll('.row input, .row select').forEach((el) => { el.disabled = on; });
    const launch = async (req, pv, confirmBtn) => {
      confirmBtn.disabled = true;
      // Launching freezes the scope and starts a workflow per member: show that it is working.
      const bar = h('div', { id: 'launch-progress', role: 'status' }, t('cycles.launching', { n: pv.members }), h('progress', { 'aria-label': t('cycles.launching', { n: pv.members }) }));
      previewBox.append(bar);
      let cy;
      try {
        cy = await api('POST', '/cycles', req, { headers: { 'Idempotency-Key': idem } });
      } catch (ex) {
        bar.remove();
        confirmBtn.disabled = false;
        serverErrors(ex);
        return;
      }
      idem = uuid();
      toast(t('cycles.launched', { title: cy.title }));
      location.hash = '#/cycles/' + cy.id;
    };
    const showPreview = (req, pv) => {
      const confirmBtn = h('button', { type: 'button', id: 'launch-confirm' }, t('cycles.confirm'));
      const editBtn = h('button', { type: 'button', class: 'secondary', id: 'launch-edit' }, t('cycles.edit'));
      confirmBtn.onclick = () => launch(req, pv, confirmBtn);
      editBtn.onclick = () => { fill(previewBox); setLocked(false); submitBtn.hidden = false; submitBtn.focus(); };
      const reminders = (st) => st.reminders.length ? h('ul', { class: 'plain' }, st.reminders.map((r) => h('li', {}, fmtTime(r.at), r.overdue ? ' (' + t('cycles.overdueReminder') + ')' : ''))) : '—';
      fill(previewBox, h('section', { class: 'card', 'aria-labelledby': 'pv-h' },
        h('h2', { id: 'pv-h', tabindex: '-1' }, t('cycles.previewTitle')),
        h('p', { id: 'pv-members' }, t('cycles.previewMembers', { n: pv.members, period: pv.period, start: fmtDate(pv.periodStart), end: fmtDate(new Date(new Date(pv.periodEnd) - 1).toISOString()), tz: pv.timezone })),
        h('table', { id: 'timeline' },
          h('thead', {}, h('tr', {}, ['col.stage', 'cycles.opens', 'col.due', 'cycles.reminders', 'cycles.escalation'].map((k) => h('th', { scope: 'col' }, t(k))))),
          h('tbody', {}, pv.stages.map((st) => h('tr', { 'data-stage': st.key },
            h('td', {}, h('strong', {}, txt(st.name, st.key)), st.conditional ? h('span', { class: 'muted small' }, ' ' + t('cycles.conditional')) : null),
            h('td', {}, fmtTime(st.opensAt)), h('td', {}, fmtTime(st.dueAt)), h('td', {}, reminders(st)),
            h('td', {}, st.escalateAt ? fmtTime(st.escalateAt) + ' → ' + t('role.' + st.escalateTo) : '—'))))),
        h('p', { class: 'muted small' }, t('cycles.previewNote')),
        h('div', { class: 'toolbar' }, confirmBtn, editBtn)));
      setLocked(true);
      submitBtn.hidden = true;
      previewBox.querySelector('h2').focus();
    };
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
      try {
        showPreview(req, await api('POST', '/cycles/preview', req));
      } catch (ex) {
        serverErrors(ex);
      } finally { submitBtn.disabled = false; }
    } }, h('h2', {}, t('cycles.launch')), general, h('div', { class: 'row' }, fields.map((f) => renderField(f))), h('div', { class: 'toolbar' }, submitBtn), previewBox);
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

  // getAll reads every page of a list route (500 rows a page).
  async function getAll(path) {
    const sep = path.includes('?') ? '&' : '?';
    const first = await get(path + sep + 'limit=500');
    const items = first.items;
    while (items.length < first.total) {
      const next = await get(path + sep + 'limit=500&offset=' + items.length);
      if (!next.items.length) break;
      items.push(...next.items);
    }
    return { items, total: first.total };
  }
  // download fetches a file with the caller's token and hands it to the browser.
  async function download(path, name) {
    const res = await fetch('/api/v1' + path, { headers: authHeaders() });
    if (!res.ok) {
      let body = {};
      try { body = (await res.json()).error || {}; } catch (e) { body = {}; }
      throw new ApiError(res.status, body);
    }
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }
  // upload sends a file with progress, which fetch cannot report.
  function upload(path, file, type, onProgress) {
    return new Promise((resolve, reject) => {
      const x = new XMLHttpRequest();
      x.open('POST', '/api/v1' + path);
      for (const [k, v] of Object.entries(authHeaders())) x.setRequestHeader(k, v);
      x.setRequestHeader('Accept', 'application/json');
      x.setRequestHeader('Content-Type', type);
      x.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
      x.upload.onload = () => onProgress(1);
      x.onload = () => {
        let d = null;
        try { d = JSON.parse(x.responseText); } catch (e) { d = null; }
        if (x.status >= 200 && x.status < 300) { resolve(d); return; }
        if (x.status === 401) signOut(t('signin.expired'));
        reject(new ApiError(x.status, (d && d.error) || { code: 'http', message: String(x.status) }));
      };
      x.onerror = () => reject(new ApiError(0, { code: 'network', message: t('err.network') }));
      x.send(file);
    });
  }
  function progressBar(id) {
    const bar = h('div', { id, role: 'status', 'aria-live': 'polite' }, h('progress', { max: 100 }), ' ', h('span'));
    return {
      el: bar,
      set(frac) {
        const pr = bar.querySelector('progress');
        if (frac == null) { pr.removeAttribute('value'); bar.lastChild.textContent = t('dash.processing'); return; }
        pr.value = Math.round(frac * 100);
        bar.lastChild.textContent = t('dash.uploading', { pct: Math.round(frac * 100) });
      },
    };
  }

  // gradeChart draws members per grade against the forced distribution: a
  // limit on one grade is a dashed line at the headcount it allows.
  function gradeChart(counts, order, names, limits, n) {
    const keys = order.filter((g) => counts[g] != null || order.length <= 8);
    const marks = {};
    for (const l of limits || []) {
      if (l.grades.length !== 1) continue;
      const [lo, hi] = distBounds(l, n);
      marks[l.grades[0]] = { lo: l.min != null ? lo : null, hi: l.max != null ? hi : null };
    }
    const max = Math.max(1, ...keys.map((g) => Math.max(counts[g] || 0, (marks[g] && marks[g].hi) || 0, (marks[g] && marks[g].lo) || 0)));
    const bw = 56, gap = 28, ch = 160, top = 18, w = keys.length * (bw + gap) + gap;
    const y = (v) => top + ch - Math.round((v / max) * ch);
    const label = t('dash.chartLabel', { list: keys.map((g) => g + ' ' + (counts[g] || 0) + (marks[g] ? ' (' + [marks[g].lo != null ? t('dash.limitMin') + ' ' + marks[g].lo : '', marks[g].hi != null ? t('dash.limitMax') + ' ' + marks[g].hi : ''].filter(Boolean).join(', ') + ')' : '')).join(', ') });
    return svg('svg', { viewBox: '0 0 ' + w + ' ' + (ch + top + 40), width: w, height: ch + top + 40, role: 'img', 'aria-label': label, id: 'grade-chart' },
      svg('title', {}, label),
      svg('line', { x1: 0, x2: w, y1: top + ch, y2: top + ch, stroke: '#8c959f' }),
      keys.map((g, i) => {
        const c = counts[g] || 0;
        const x = gap + i * (bw + gap);
        const m = marks[g] || {};
        const over = (m.hi != null && c > m.hi) || (m.lo != null && c < m.lo);
        return svg('g', { 'data-grade': g },
          svg('rect', { x, y: y(c), width: bw, height: top + ch - y(c), fill: over ? '#b3261e' : '#0b5cad', rx: 3 }),
          svg('text', { x: x + bw / 2, y: y(c) - 4, 'text-anchor': 'middle' }, String(c)),
          m.hi != null ? [svg('line', { class: 'limit-max', x1: x - 6, x2: x + bw + 6, y1: y(m.hi), y2: y(m.hi), stroke: '#b3261e', 'stroke-width': 2, 'stroke-dasharray': '5 3' }),
            svg('text', { x: x + bw + 2, y: y(m.hi) - 3, 'font-size': '10' }, t('dash.limitMax') + ' ' + m.hi)] : null,
          m.lo != null ? [svg('line', { class: 'limit-min', x1: x - 6, x2: x + bw + 6, y1: y(m.lo), y2: y(m.lo), stroke: '#11703a', 'stroke-width': 2, 'stroke-dasharray': '2 2' }),
            svg('text', { x: x + bw + 2, y: y(m.lo) + 11, 'font-size': '10' }, t('dash.limitMin') + ' ' + m.lo)] : null,
          svg('text', { x: x + bw / 2, y: top + ch + 16, 'text-anchor': 'middle', 'font-weight': '600' }, g),
          svg('text', { x: x + bw / 2, y: top + ch + 32, 'text-anchor': 'middle' }, names.get(g) || ''));
      }));
  }
  // attainChart is a heat map: one row per member, one column per indicator, 0–100.
  function attainChart(results, tpl, members) {
    const seen = new Set();
    results.forEach((r) => Object.keys(r.indicators || {}).forEach((k) => seen.add(k)));
    const keys = [...(tpl.indicators || []).map((i) => i.key).filter((k) => seen.has(k)), ...[...seen].filter((k) => !(tpl.indicators || []).some((i) => i.key === k))];
    if (!keys.length || !results.length) return h('p', { class: 'muted' }, t('dash.noResults'));
    const names = new Map((tpl.indicators || []).map((i) => [i.key, txt(i.name, i.key)]));
    const small = results.length <= 40;
    const cw = 64, rh = small ? 20 : 12, left = 110, head = 56;
    const w = left + keys.length * cw, hgt = head + results.length * rh;
    const label = t('dash.attainLabel', { n: results.length, k: keys.length });
    // One tooltip per row (member: every indicator) keeps a 500-member map light.
    const rows = results.map((r, ri) => {
      const vals = r.indicators || {};
      const who = memberName(members, r.memberId);
      return svg('g', { 'data-member': r.memberId },
        svg('title', {}, who + ' — ' + keys.map((k) => (names.get(k) || k) + ' ' + (typeof vals[k] === 'number' ? fmtNum(vals[k], 1) : '—')).join(' · ')),
        small ? svg('text', { x: left - 6, y: head + ri * rh + rh * 0.7, 'text-anchor': 'end' }, who) : null,
        keys.map((k, ci) => {
          const v = vals[k];
          const has = typeof v === 'number';
          const light = Math.round(96 - (has ? Math.max(0, Math.min(1, v / 100)) : 0) * 66);
          return [svg('rect', { x: left + ci * cw, y: head + ri * rh, width: cw - 2, height: rh - 2, fill: has ? 'hsl(210,70%,' + light + '%)' : '#eef1f5' }),
            small && has ? svg('text', { x: left + ci * cw + cw / 2 - 1, y: head + ri * rh + rh * 0.7, 'text-anchor': 'middle', fill: light < 55 ? '#fff' : '#1b1f24', 'font-size': '11' }, fmtNum(v, 0)) : null];
        }));
    });
    return h('div', { class: 'scroll' }, svg('svg', { viewBox: '0 0 ' + w + ' ' + hgt, width: w, height: hgt, role: 'img', 'aria-label': label, id: 'attain-chart' },
      svg('title', {}, label),
      keys.map((k, ci) => svg('text', { x: left + ci * cw + cw / 2, y: head - 8, 'text-anchor': 'middle', 'font-size': '11' }, (names.get(k) || k).slice(0, 10))),
      rows));
  }
  function stageCompletion(tasks, stageOrder, stageName) {
    const by = new Map();
    for (const c of tasks) {
      const s = by.get(c.stage) || { total: 0, done: 0 };
      s.total += c.count;
      if (c.state === 'submitted') s.done += c.count;
      by.set(c.stage, s);
    }
    const keys = [...stageOrder.filter((k) => by.has(k)), ...[...by.keys()].filter((k) => !stageOrder.includes(k))];
    if (!keys.length) return h('p', { class: 'muted' }, '—');
    return h('table', { id: 'stage-completion' }, h('tbody', {}, keys.map((k) => {
      const { total, done } = by.get(k);
      const bar = h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': total, 'aria-valuenow': done, 'aria-label': stageName.get(k) || k }, h('span'));
      bar.firstChild.style.width = (total ? (100 * done) / total : 0) + '%';
      return h('tr', { 'data-stage': k }, h('th', { scope: 'row' }, stageName.get(k) || k), h('td', { class: 'wide' }, bar), h('td', { class: 'num' }, t('dash.stageDone', { done, total })));
    })));
  }
  function overdueSection(cy, members) {
    const by = new Map();
    for (const o of cy.overdue) {
      const x = by.get(o.assigneeId) || { n: 0, due: o.dueAt };
      x.n++;
      if (o.dueAt < x.due) x.due = o.dueAt;
      by.set(o.assigneeId, x);
    }
    const btn = h('button', { type: 'button', id: 'remind-now', disabled: !cy.overdue.length }, t('dash.remind'));
    btn.onclick = async () => {
      btn.disabled = true;
      try {
        const r = await api('POST', '/cycles/' + encodeURIComponent(cy.id) + '/remind');
        toast(t('dash.reminded', { n: r.reminded, total: r.overdue }));
        $('#remind-result') && fill($('#remind-result'), t('dash.reminded', { n: r.reminded, total: r.overdue }));
      } catch (ex) { toast(ex.message); } finally { btn.disabled = false; }
    };
    return h('section', { class: 'card', 'aria-labelledby': 'overdue-h', id: 'overdue' }, h('h2', { id: 'overdue-h' }, t('dash.overdue')),
      by.size ? h('ul', { id: 'overdue-people' }, [...by].map(([who, x]) => h('li', { 'data-member': who }, h('strong', {}, memberName(members, who)), ' — ', t('dash.overdueTasks', { n: x.n, due: fmtTime(x.due) }))))
        : h('p', { class: 'muted' }, t('dash.noOverdue')),
      h('div', { class: 'toolbar' }, btn, h('span', { id: 'remind-result', class: 'muted', role: 'status' })));
  }
  function metricsForm(cy) {
    const general = h('div', { tabindex: '-1', id: 'metrics-general' });
    const file = h('input', { type: 'file', id: 'metrics-file', accept: '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'aria-describedby': 'metrics-hint' });
    const btn = h('button', { type: 'submit', id: 'metrics-upload' }, t('dash.upload'));
    const replace = h('input', { type: 'checkbox', id: 'metrics-replace' });
    const sheet = h('button', { type: 'button', class: 'link' }, t('dash.metricsSheet'));
    sheet.onclick = () => download('/cycles/' + encodeURIComponent(cy.id) + '/metrics-template.xlsx', 'metrics-' + cy.period + '.xlsx').catch((ex) => toast(ex.message));
    const form = h('form', { class: 'card', id: 'metrics', novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      fill(general);
      const f = file.files[0];
      if (!f) { fill(general, alertBox('bad', t('v.required'))); return; }
      const type = /\.xlsx$/i.test(f.name) ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv';
      const bar = progressBar('metrics-progress');
      general.append(bar.el);
      bar.set(0);
      btn.disabled = true;
      try {
        const r = await upload('/metrics/upload?period=' + encodeURIComponent(cy.period) + (replace.checked ? '&replace=true' : ''), f, type, (x) => bar.set(x >= 1 ? null : x));
        fill(general, alertBox('ok', r.duplicate ? t('dash.duplicate') : t('dash.uploaded', r)));
      } catch (ex) {
        // A conflict or a refusal says what to do in its message; a 400 lists bad cells.
        const items = ex.details.map((d) => h('li', {}, (d.path ? d.path + ': ' : '') + d.message + (d.value != null && d.value !== '' ? ' (' + JSON.stringify(d.value) + ')' : '')));
        if (ex.omitted) items.push(h('li', {}, t('dash.omitted', { n: ex.omitted })));
        fill(general, alertBox('bad', ex.details.length && ex.status === 400 ? t('dash.badRows') : ex.message, items.length ? h('ul', {}, items) : null));
      } finally { btn.disabled = false; }
    } }, h('h2', {}, t('dash.metrics')), general,
      h('div', { class: 'field' }, h('label', { for: 'metrics-file' }, t('dash.metricsFile')), file, h('p', { class: 'hint', id: 'metrics-hint' }, t('dash.metricsHint'), ' ', sheet)),
      h('div', { class: 'field' }, h('label', { class: 'choice' }, replace, t('dash.replace'))),
      h('div', { class: 'toolbar' }, btn));
    return form;
  }
  function resultsTable(rows, tpl, members, n) {
    return h('table', { id: 'results' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, t('col.rank')), h('th', { scope: 'col' }, t('col.member')), h('th', { scope: 'col', class: 'num' }, t('col.score')),
        ['col.proposed', 'col.grade', 'col.state'].map((k) => h('th', { scope: 'col' }, t(k))), h('th', { scope: 'col' }, t('results.breakdown')))),
      h('tbody', {}, rows.map((r) => h('tr', {},
        h('td', { class: 'num' }, String(r.rank)), h('td', {}, memberName(members, r.memberId)), h('td', { class: 'num' }, fmtNum(r.finalScore)),
        h('td', {}, r.proposedGrade || '—'), h('td', {}, r.grade || '—'), h('td', {}, badge(r.state)),
        // The breakdown is built when opened, so a 500-member table stays light.
        h('td', {}, h('details', { 'data-member': r.memberId, ontoggle: (e) => { const d = e.currentTarget; if (d.open && d.children.length < 2) d.append(breakdown(r, tpl, n)); } }, h('summary', {}, t('results.breakdown'))))))));
  }
  async function dashboardView(main, live, id) {
    const [first, members] = await Promise.all([loadCycle(id), loadMembers().catch(() => null)]);
    const tpl = await loadTemplate(first.templateKey, first.templateVersion).catch(() => ({}));
    if (!live()) return;
    const stageOrder = (tpl.stages || []).map((s) => s.key);
    const names = new Map((tpl.stages || []).map((s) => [s.key, txt(s.name, s.key)]));
    const reportsOf = new Map((tpl.stages || []).filter((s) => s.reports).map((s) => [s.key, s.reports]));
    // A report round is a stage of its own to the engine ("execute#report-2"): name it by its report.
    const stageName = { get: (k) => {
      const round = reportRound(k);
      if (!round) return names.get(k);
      const rp = reportsOf.get(round.stage);
      return (rp && rp.name ? txt(rp.name) : t('kind.report')) + ' · ' + t('rep.round', { n: round.n });
    } };
    const gradeName = new Map((tpl.grades || []).map((g) => [g.key, txt(g.name, g.key)]));
    const head = h('div');
    const data = h('div', { id: 'dashboard-data' });
    const cancelBox = h('div');
    const exportBtn = h('button', { type: 'button', class: 'secondary', id: 'export-xlsx' }, t('dash.export'));
    exportBtn.onclick = async () => {
      exportBtn.disabled = true;
      exportBtn.textContent = t('dash.exporting');
      try { await download('/cycles/' + encodeURIComponent(id) + '/export.xlsx', 'perfloop-' + first.period + '.xlsx'); } catch (ex) { toast(ex.message); }
      exportBtn.disabled = false;
      exportBtn.textContent = t('dash.export');
    };
    const hasMetrics = (tpl.indicators || []).some((i) => i.kind === 'quantitative');
    append(main, [h('p', {}, h('a', { href: '#/cycles' }, '← ' + t('cycles.title'))), h('div', { id: 'dashboard' }, head, data, hasMetrics ? metricsForm(first) : null, cancelBox)]);
    let running = null;
    const draw = (cy, res, interviews, reports) => {
      const p = cy.progress;
      fill(head, h('h1', {}, cy.title, ' ', badge(cy.state)),
        h('dl', { class: 'kv card' },
          h('dt', {}, t('dash.template')), h('dd', {}, cy.templateKey + ' v' + cy.templateVersion),
          h('dt', {}, t('col.period')), h('dd', {}, cy.period),
          h('dt', {}, t('dash.started')), h('dd', {}, fmtTime(cy.startedAt)),
          cy.finishedAt ? [h('dt', {}, t('dash.finished')), h('dd', {}, fmtTime(cy.finishedAt))] : null,
          cy.cancelReason ? [h('dt', {}, t('dash.cancelReason')), h('dd', {}, cy.cancelReason)] : null,
          cy.blockedReason ? [h('dt', {}, t('dash.blockedReason')), h('dd', { id: 'blocked-reason' }, cy.blockedReason)] : null),
        cy.state === 'blocked' ? resumeButton(cy) : null,
        ['pending', 'running'].includes(cy.state) ? h('p', { class: 'muted small' }, t('dash.auto')) : null);
      const counts = {};
      res.items.forEach((r) => { const g = resultGrade(r); counts[g] = (counts[g] || 0) + 1; });
      if (!res.items.length && p && p.grades) Object.assign(counts, p.grades);
      const n = Object.values(counts).reduce((a, b) => a + b, 0);
      const order = gradeOrder(tpl, res.items);
      const pct = p && p.members ? Math.round((100 * p.done) / p.members) : 0;
      const report = limitReport(tpl.distribution, counts, n);
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
            ] : h('p', { class: 'muted' }, t('state.' + cy.state)),
            h('h3', {}, t('dash.stages')), stageCompletion(cy.tasks, stageOrder, stageName)),
          h('section', { class: 'card chart', 'aria-labelledby': 'dist-h', id: 'dist' }, h('h2', { id: 'dist-h' }, t('dash.distVs')),
            n ? [gradeChart(counts, order, gradeName, tpl.distribution, n),
              report.length ? h('ul', { id: 'dash-limits', class: 'small' }, report.map((x) => h('li', { class: x.broken ? 'broken' : null }, x.broken ? '⚠ ' : '✓ ', x.text))) : null]
              : h('p', { class: 'muted' }, t('dash.noResults')))),
        overdueSection(cy, members),
        h('section', { class: 'card chart', 'aria-labelledby': 'attain-h', id: 'attain' }, h('h2', { id: 'attain-h' }, t('dash.attain')), attainChart(res.items, tpl, members)),
        h('section', { class: 'card', 'aria-labelledby': 'tasks-h' }, h('h2', { id: 'tasks-h' }, t('dash.tasks')),
          cy.tasks.length ? h('table', { id: 'task-counts' },
            h('thead', {}, h('tr', {}, ['col.stage', 'col.kind', 'col.state'].map((k) => h('th', { scope: 'col' }, t(k))), h('th', { scope: 'col', class: 'num' }, t('col.count')))),
            h('tbody', {}, cy.tasks.map((c) => h('tr', {}, h('td', {}, stageName.get(c.stage) || c.stage), h('td', {}, t('kind.' + c.kind)), h('td', {}, badge(c.state)), h('td', { class: 'num' }, String(c.count))))))
            : h('p', { class: 'muted' }, '—')),
        h('section', { class: 'card', 'aria-labelledby': 'results-h' }, h('div', { class: 'toolbar' }, h('h2', { id: 'results-h' }, t('dash.results')), res.items.length ? exportBtn : null),
          res.items.length ? resultsTable(res.items, tpl, members, rankedOf(cy, res)) : h('p', { class: 'muted' }, t('dash.noResults'))),
        interviews.length ? interviewsSection(cy, interviews) : null,
        reportsOf.size ? reportsSection(reports, reportsOf, stageName, members) : null);
      const isRunning = ['pending', 'running', 'blocked'].includes(cy.state);
      if (running !== isRunning) {
        running = isRunning;
        fill(cancelBox, isRunning ? cancelForm(cy) : []);
      }
      return isRunning;
    };
    const openDetails = () => [...data.querySelectorAll('details[open]')].map((d) => d.dataset.member ? 'details[data-member="' + CSS.escape(d.dataset.member) + '"]' : d.dataset.report ? 'details[data-report="' + CSS.escape(d.dataset.report) + '"]' : null).filter(Boolean);
    const load = async () => {
      const keep = openDetails();
      const [cy, res, ivs, reps] = await Promise.all([loadCycle(id), getAll('/cycles/' + encodeURIComponent(id) + '/results'),
        get('/cycles/' + encodeURIComponent(id) + '/interviews').catch(() => ({ items: [] })),
        reportsOf.size ? getAll('/cycles/' + encodeURIComponent(id) + '/reports?sort=createdAt').catch(() => ({ items: [] })) : { items: [] }]);
      if (!live()) return false;
      const more = draw(cy, res, ivs.items, reps.items);
      keep.forEach((sel) => { const d = data.querySelector(sel); if (d) d.open = true; });
      $('#dashboard').dataset.rendered = String(res.items.length);
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
  // The invite is served with the caller's token, so the link downloads it
  // rather than navigating to it.
  function icsLink(cycleId, iv) {
    const a = h('a', { href: '#', class: 'ics', 'aria-label': t('iv.ics') + ' · ' + (iv.memberName || iv.memberId) }, '.ics');
    a.onclick = (e) => {
      e.preventDefault();
      download('/cycles/' + encodeURIComponent(cycleId) + '/interviews/' + encodeURIComponent(iv.memberId) + '.ics', 'interview-' + iv.memberId + '.ics').catch((ex) => toast(ex.message));
    };
    return a;
  }
  // reportRound reads a report round's stage key ("execute#report-2", as
  // activities.ReportKey writes it); other keys answer null.
  function reportRound(key) {
    const m = /^(.*)#report-(\d+)$/.exec(key || '');
    return m ? { stage: m[1], n: Number(m[2]) } : null;
  }
  // reportsSection lists each round's progress reports, newest round
  // first, with how many are in; a report opens to what was written.
  function reportsSection(reports, reportsOf, stageName, members) {
    const rounds = new Map();
    for (const r of reports) {
      if (!rounds.has(r.stage)) rounds.set(r.stage, []);
      rounds.get(r.stage).push(r);
    }
    const formOf = (key) => { const rp = reportsOf.get(reportRound(key).stage); return rp ? rp.form || [] : []; };
    return h('section', { class: 'card', 'aria-labelledby': 'reports-h', id: 'reports' }, h('h2', { id: 'reports-h' }, t('rep.title')),
      rounds.size ? [...rounds].reverse().map(([key, rs]) => h('div', { class: 'round', 'data-stage': key },
        h('h3', {}, stageName.get(key), ' ', h('span', { class: 'muted small' }, t('rep.count', { done: rs.filter((r) => r.state === 'submitted').length, total: rs.length }), ' · ', t('col.due'), ' ', fmtTime(rs[0].dueAt))),
        h('table', {}, h('tbody', {}, rs.map((r) => h('tr', { 'data-member': r.assigneeId },
          h('th', { scope: 'row' }, memberName(members, r.assigneeId)), h('td', {}, badge(r.state)),
          h('td', {}, r.data ? h('details', { 'data-report': r.id }, h('summary', {}, t('rep.read'), ' · ', fmtTime(r.submittedAt)), planList({ form: formOf(key), data: r.data })) : '—'))))))) : h('p', { class: 'muted' }, t('rep.none')));
  }
  function interviewsSection(cy, interviews) {
    return h('section', { class: 'card', 'aria-labelledby': 'interviews-h', id: 'interviews' }, h('h2', { id: 'interviews-h' }, t('iv.title')),
      h('table', {},
        h('thead', {}, h('tr', {}, ['iv.member', 'iv.manager', 'iv.time', 'col.state', 'iv.ics'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, interviews.map((iv) => h('tr', { 'data-member': iv.memberId },
          h('td', {}, iv.memberName || iv.memberId), h('td', {}, iv.managerName || iv.managerId),
          h('td', {}, h('time', { datetime: iv.startsAt }, fmtTime(iv.startsAt))), h('td', {}, badge(iv.state)), h('td', {}, icsLink(cy.id, iv)))))));
  }
  // resumeButton scores a blocked cycle again once its data is corrected.
  function resumeButton(cy) {
    const btn = h('button', { type: 'button', id: 'resume-submit', onclick: async () => {
      btn.disabled = true;
      try {
        await api('POST', '/cycles/' + encodeURIComponent(cy.id) + '/resume');
      } catch (ex) {
        btn.disabled = false;
        toast(ex.message);
        return;
      }
      toast(t('dash.resumed'));
    } }, t('dash.resume'));
    return h('div', { class: 'toolbar' }, btn);
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
    const retire = async (x, btn) => {
      btn.disabled = true;
      try {
        await api('POST', '/templates/' + encodeURIComponent(x.key) + '/versions/' + x.version + '/retire');
      } catch (ex) {
        btn.disabled = false;
        fill(general, alertBox('bad', ex.message));
        general.focus();
        return;
      }
      S.cache.clear();
      toast(t('tpl.retired', { key: x.key, v: x.version }));
      render();
    };
    append(main, [h('h1', {}, t('tpl.title')), general,
      h('p', {}, h('a', { class: 'btn', href: '#/templates/new', id: 'tpl-new' }, t('tpl.new'))),
      r.items.some((x) => x.shared) ? h('p', { class: 'muted small', id: 'tpl-shared-help' }, t('tpl.sharedHelp')) : null,
      r.items.length ? h('table', { id: 'templates' },
        h('thead', {}, h('tr', {}, ['col.key', 'col.name', 'col.version', 'col.state', 'col.updated', 'col.actions'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, r.items.map((x) => h('tr', { 'data-key': x.key, 'data-version': x.version },
          h('td', {}, h('code', {}, x.key)), h('td', {}, lang === 'en' ? x.nameEn || x.name : x.name, x.shared ? [' ', h('span', { class: 'badge shared', title: t('tpl.sharedHelp') }, t('tpl.shared'))] : null),
          h('td', { class: 'num' }, 'v' + x.version), h('td', {}, badge(x.status)), h('td', {}, fmtTime(x.updatedAt)),
          h('td', { class: 'actions' }, h('a', { href: '#/templates/' + encodeURIComponent(x.key) + '/' + x.version }, t('tpl.open')),
            x.version > 1 ? [' · ', h('a', { href: '#/templates/' + encodeURIComponent(x.key) + '/diff/' + (x.version - 1) + '/' + x.version, class: 'compare' }, t('tpl.compare'))] : null,
            x.status === 'draft' ? [' ', (() => { const b = h('button', { type: 'button', class: 'secondary publish' }, t('tpl.publish')); b.onclick = () => publish(x, b); return b; })()] : null,
            // The shared catalogue is not the organisation's to retire (the API answers 404); the help above says what to do instead.
            x.status === 'published' && !x.shared ? [' ', (() => { const b = h('button', { type: 'button', class: 'secondary retire' }, t('tpl.retire')); b.onclick = () => retire(x, b); return b; })()] : null)))))
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

  // lineDiff aligns two texts line by line (longest common subsequence) into
  // side-by-side rows: [left, right] with null where a side has no line.
  function lineDiff(a, b) {
    const n = a.length, m = b.length;
    const L = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
    for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
    const rows = [];
    let i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) { rows.push([{ n: i + 1, s: a[i] }, { n: j + 1, s: b[j] }, 'same']); i++; j++; }
      else if (j < m && (i >= n || L[i][j + 1] >= L[i + 1][j])) { rows.push([null, { n: j + 1, s: b[j] }, 'add']); j++; }
      else { rows.push([{ n: i + 1, s: a[i] }, null, 'del']); i++; }
    }
    // A removal next to an addition is a change: show them on one row.
    const out = [];
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k];
      const nx = rows[k + 1];
      if (nx && ((r[2] === 'del' && nx[2] === 'add') || (r[2] === 'add' && nx[2] === 'del'))) { out.push(r[2] === 'del' ? [r[0], nx[1], 'chg'] : [nx[0], r[1], 'chg']); k++; } else out.push(r);
    }
    return out;
  }
  async function diffView(main, live, key, from, to) {
    const enc = encodeURIComponent(key);
    const [list, a, b, d] = await Promise.all([get('/templates?key=' + enc + '&limit=200'), get('/templates/' + enc + '/versions/' + from), get('/templates/' + enc + '/versions/' + to),
      get('/templates/' + enc + '/diff?from=' + from + '&to=' + to)]);
    if (!live()) return;
    const versions = list.items.map((x) => x.version).sort((p, q) => p - q);
    const pick = (id, label, val, other) => h('div', { class: 'field' }, h('label', { for: id }, label),
      h('select', { id, onchange: (e) => { location.hash = '#/templates/' + enc + '/diff/' + (other === 'to' ? e.target.value + '/' + to : from + '/' + e.target.value); } },
        versions.map((v) => h('option', { value: v, selected: String(v) === String(val) }, 'v' + v + ' · ' + t('state.' + list.items.find((x) => x.version === v).status)))));
    const rows = lineDiff(JSON.stringify(a.body, null, 2).split('\n'), JSON.stringify(b.body, null, 2).split('\n'));
    const cell = (x, cls) => x ? [h('td', { class: 'ln' }, String(x.n)), h('td', { class: 'code ' + cls }, x.s)] : [h('td', { class: 'ln' }), h('td', { class: 'code empty' })];
    const changes = d.changes || [];
    const show = (v) => (v === undefined ? '' : JSON.stringify(v));
    append(main, [h('p', {}, h('a', { href: '#/templates' }, t('tpl.back'))), h('h1', {}, t('tpl.diffTitle', { key, from, to })),
      h('div', { class: 'row card' }, pick('diff-from', t('tpl.from'), from, 'to'), pick('diff-to', t('tpl.to'), to, 'from')),
      h('section', { class: 'card', 'aria-labelledby': 'chg-h' }, h('h2', { id: 'chg-h' }, t('tpl.changes', { n: changes.length })),
        changes.length ? h('table', { id: 'diff-changes' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'JSON pointer'), h('th', { scope: 'col' }, t('col.kind')), h('th', { scope: 'col' }, 'v' + from), h('th', { scope: 'col' }, 'v' + to))),
          h('tbody', {}, changes.map((c) => h('tr', { 'data-path': c.path, class: 'op-' + c.op }, h('td', {}, h('code', {}, c.path)), h('td', {}, t('tpl.op.' + c.op)), h('td', { class: 'code' }, show(c.from)), h('td', { class: 'code' }, show(c.to)))))) : h('p', { class: 'muted' }, t('tpl.same'))),
      h('section', { class: 'card', 'aria-labelledby': 'sbs-h' }, h('h2', { id: 'sbs-h' }, t('tpl.sideBySide')),
        h('div', { class: 'scroll diffwrap' }, h('table', { class: 'sbs', id: 'diff-sbs' },
          h('colgroup', {}, h('col', { class: 'ln' }), h('col'), h('col', { class: 'ln' }), h('col')),
          h('thead', {}, h('tr', {}, h('th', { colspan: 2, scope: 'col' }, key + ' v' + from), h('th', { colspan: 2, scope: 'col' }, key + ' v' + to))),
          h('tbody', {}, rows.map(([l, r, op]) => h('tr', { class: op }, cell(l, op === 'same' ? '' : 'old'), cell(r, op === 'same' ? '' : 'new')))))))]);
    focusMain();
  }

  // ---------- organisation import (admin) ----------
  const CSV_COLUMNS = 'name,email,role,team,team_name,parent_team,position,level,manager,timezone,locale,joined_on';
  function orgImportView(main) {
    const general = h('div', { tabindex: '-1', id: 'org-general' });
    const file = h('input', { type: 'file', id: 'org-file', accept: '.csv,.json,text/csv,application/json', 'aria-describedby': 'org-hint' });
    const paste = h('textarea', { id: 'org-text', rows: 8, spellcheck: 'false', 'aria-describedby': 'org-hint', placeholder: CSV_COLUMNS });
    const checkBtn = h('button', { type: 'button', id: 'org-check', class: 'secondary' }, t('org.check'));
    const importBtn = h('button', { type: 'button', id: 'org-import' }, t('org.import'));
    const source = async () => {
      const f = file.files[0];
      const text = f ? await f.text() : paste.value;
      if (!text.trim()) return null;
      const json = f ? /\.json$/i.test(f.name) : /^\s*\{/.test(text);
      return { body: text, type: json ? 'application/json' : 'text/csv' };
    };
    const run = async (dry, btn) => {
      fill(general);
      const src = await source();
      if (!src) { fill(general, alertBox('bad', t('org.empty'))); general.focus(); return; }
      const bar = progressBar('org-progress');
      general.append(bar.el);
      bar.set(0);
      checkBtn.disabled = importBtn.disabled = true;
      try {
        const r = await upload('/org/import' + (dry ? '?dryRun=true' : ''), src.body, src.type, (x) => bar.set(x >= 1 ? null : x));
        fill(general, h('div', { class: 'alert ok', role: 'status', id: dry ? 'org-ok' : 'org-done' }, t(dry ? 'org.ok' : 'org.done', { tc: r.teamsCreated, tu: r.teamsUpdated, mc: r.membersCreated, mu: r.membersUpdated })));
        if (!dry) S.cache.clear();
      } catch (ex) {
        fill(general, ex.details.length ? h('div', { class: 'alert bad', role: 'alert', id: 'org-bad' }, h('strong', {}, t('org.bad', { n: ex.details.length })), h('p', {}, ex.message),
          h('table', { id: 'org-report' }, h('thead', {}, h('tr', {}, ['org.where', 'org.value', 'org.problem'].map((k) => h('th', { scope: 'col' }, t(k))))),
            h('tbody', {}, ex.details.map((d) => h('tr', {}, h('td', {}, d.path), h('td', {}, d.value == null ? '' : String(d.value)), h('td', {}, d.message))))))
          : alertBox('bad', ex.message));
      } finally {
        checkBtn.disabled = importBtn.disabled = false;
        general.focus();
      }
    };
    checkBtn.onclick = () => run(true, checkBtn);
    importBtn.onclick = () => run(false, importBtn);
    append(main, [h('h1', {}, t('org.title')),
      h('form', { class: 'card', id: 'org', novalidate: true, onsubmit: (e) => e.preventDefault() },
        h('p', { class: 'hint', id: 'org-hint' }, t('org.hint', { cols: CSV_COLUMNS })),
        h('div', { class: 'field' }, h('label', { for: 'org-file' }, t('org.file')), file),
        h('div', { class: 'field' }, h('label', { for: 'org-text' }, t('org.paste')), paste),
        h('div', { class: 'toolbar' }, checkBtn, importBtn)),
      general]);
    focusMain();
  }

  window.addEventListener('hashchange', render);
  window.addEventListener('storage', (e) => { if (e.key === 'pl.token' && e.newValue !== S.token) { S.token = e.newValue || ''; S.me = null; S.cache.clear(); render(); } });
  render();
})();
