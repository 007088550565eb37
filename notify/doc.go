// Package notify turns notifications into messages people receive outside
// Perfloop: e-mail over SMTP (text and HTML in the reader's language, with
// calendar invites attached), chat bots (WeCom, DingTalk, Feishu/Lark,
// Slack) and signed JSON webhooks. It also owns the delivery rules that do
// not need a database: when a message may go out (working days and quiet
// hours in the recipient's time zone), how reminders due together become
// one digest, how channel configuration is validated, and where secrets
// come from.
//
// It never imports store, Temporal or Gin: activities hand it rows turned
// into Events and record what it reports, so every rule here is tested
// against real protocol peers on loopback without a server.
package notify
