package notify

import (
	"bytes"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"
)

// Content is a message rendered in the recipient's language: a subject,
// a plain-text body, an HTML body for e-mail and Markdown for chat bots.
type Content struct {
	Subject  string
	Text     string
	HTML     string
	Markdown string
}

// headings name each event in each language.
var headings = map[string]map[string]string{
	LangZh: {
		EventReminder: "待办提醒", EventEscalation: "逾期升级", EventResults: "绩效结果已发布", EventIDP: "个人发展计划已创建",
		EventMeeting: "校准会邀请", EventTask: "新的待办", EventNotice: "通知", EventPace: "进度落后", "overdue": "已逾期",
	},
	LangEn: {
		EventReminder: "Reminder", EventEscalation: "Escalation", EventResults: "Your results are published", EventIDP: "Development plan created",
		EventMeeting: "Calibration meeting", EventTask: "New task", EventNotice: "Notice", EventPace: "Behind pace", "overdue": "Overdue",
	},
}

// line is one event as the templates see it, already in the reader's
// language and time zone.
type line struct {
	Heading, Title, Detail, Due, Link string
}

type view struct {
	Name   string
	Lines  []line
	Digest bool
	Count  int
}

var phrases = map[string]struct{ subject, digest, text, html, markdown string }{
	LangZh: {
		subject: `[Perfloop] {{(index .Lines 0).Heading}}：{{(index .Lines 0).Title}}`,
		digest:  `[Perfloop] 你有 {{.Count}} 条提醒`,
		text: `{{.Name}}，你好：
{{range .Lines}}
· {{.Heading}}：{{.Title}}{{if .Due}}（截止 {{.Due}}）{{end}}{{if .Detail}}
  {{.Detail}}{{end}}{{if .Link}}
  {{.Link}}{{end}}
{{end}}
—— Perfloop 绩效管理
`,
		html: `<!doctype html><html lang="zh"><body style="font-family:sans-serif">
<p>{{.Name}}，你好：</p>
<ul>{{range .Lines}}<li><strong>{{.Heading}}</strong>：{{if .Link}}<a href="{{.Link}}">{{.Title}}</a>{{else}}{{.Title}}{{end}}{{if .Due}}（截止 {{.Due}}）{{end}}{{if .Detail}}<br>{{.Detail}}{{end}}</li>{{end}}</ul>
<p style="color:#888">—— Perfloop 绩效管理</p>
</body></html>
`,
		markdown: `**{{if .Digest}}{{.Name}}，你有 {{.Count}} 条提醒{{else}}{{(index .Lines 0).Heading}} · {{.Name}}{{end}}**
{{range .Lines}}
> {{.Heading}}：{{.Title}}{{if .Due}}（截止 {{.Due}}）{{end}}{{if .Detail}}
> {{.Detail}}{{end}}
{{end}}`,
	},
	LangEn: {
		subject: `[Perfloop] {{(index .Lines 0).Heading}}: {{(index .Lines 0).Title}}`,
		digest:  `[Perfloop] You have {{.Count}} reminders`,
		text: `Hello {{.Name}},
{{range .Lines}}
* {{.Heading}}: {{.Title}}{{if .Due}} (due {{.Due}}){{end}}{{if .Detail}}
  {{.Detail}}{{end}}{{if .Link}}
  {{.Link}}{{end}}
{{end}}
-- Perfloop performance reviews
`,
		html: `<!doctype html><html lang="en"><body style="font-family:sans-serif">
<p>Hello {{.Name}},</p>
<ul>{{range .Lines}}<li><strong>{{.Heading}}</strong>: {{if .Link}}<a href="{{.Link}}">{{.Title}}</a>{{else}}{{.Title}}{{end}}{{if .Due}} (due {{.Due}}){{end}}{{if .Detail}}<br>{{.Detail}}{{end}}</li>{{end}}</ul>
<p style="color:#888">-- Perfloop performance reviews</p>
</body></html>
`,
		markdown: `**{{if .Digest}}{{.Name}}, you have {{.Count}} reminders{{else}}{{(index .Lines 0).Heading}} · {{.Name}}{{end}}**
{{range .Lines}}
> {{.Heading}}: {{.Title}}{{if .Due}} (due {{.Due}}){{end}}{{if .Detail}}
> {{.Detail}}{{end}}
{{end}}`,
	},
}

type compiled struct {
	subject, digest, text, markdown *texttemplate.Template
	html                            *htmltemplate.Template
}

var tmpl = func() map[string]compiled {
	out := map[string]compiled{}
	for lang, p := range phrases {
		out[lang] = compiled{
			subject:  texttemplate.Must(texttemplate.New("subject").Parse(p.subject)),
			digest:   texttemplate.Must(texttemplate.New("digest").Parse(p.digest)),
			text:     texttemplate.Must(texttemplate.New("text").Parse(p.text)),
			markdown: texttemplate.Must(texttemplate.New("markdown").Parse(p.markdown)),
			html:     htmltemplate.Must(htmltemplate.New("html").Parse(p.html)),
		}
	}
	return out
}()

// Render writes a message in the recipient's language, with due times in
// the recipient's time zone. Several events make a digest.
func Render(m Message) (Content, error) {
	lang := m.To.Lang()
	loc := m.To.Location()
	v := view{Name: m.To.Name, Digest: len(m.Events) > 1, Count: len(m.Events)}
	if v.Name == "" {
		v.Name = map[string]string{LangZh: "同事", LangEn: "there"}[lang]
	}
	for _, e := range m.Events {
		h := headings[lang][EventOf(e.Kind)]
		if e.Overdue {
			h = headings[lang]["overdue"]
		}
		l := line{Heading: h, Title: e.Title.In(lang), Detail: e.Detail.In(lang), Link: e.Link}
		if e.Due != nil {
			l.Due = formatDue(*e.Due, loc, lang)
		}
		v.Lines = append(v.Lines, l)
	}
	if len(v.Lines) == 0 {
		v.Lines = []line{{Heading: headings[lang][EventNotice]}}
	}
	t := tmpl[lang]
	var c Content
	var err error
	subject := t.subject
	if v.Digest {
		subject = t.digest
	}
	if c.Subject, err = run(subject, v); err != nil {
		return c, err
	}
	c.Subject = strings.Join(strings.Fields(c.Subject), " ")
	if c.Text, err = run(t.text, v); err != nil {
		return c, err
	}
	if c.Markdown, err = run(t.markdown, v); err != nil {
		return c, err
	}
	var b bytes.Buffer
	if err := t.html.Execute(&b, v); err != nil {
		return c, err
	}
	c.HTML = b.String()
	return c, nil
}

func run(t *texttemplate.Template, v view) (string, error) {
	var b bytes.Buffer
	err := t.Execute(&b, v)
	return b.String(), err
}

func formatDue(t time.Time, loc *time.Location, lang string) string {
	local := t.In(loc)
	if lang == LangEn {
		return local.Format("Mon 2 Jan 2006 15:04") + " (" + loc.String() + ")"
	}
	return local.Format("2006-01-02 15:04") + " " + loc.String()
}
