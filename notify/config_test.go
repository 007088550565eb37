package notify_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/perfloop/perfloop/notify"
)

func TestAMalformedWebhookURLIsRejectedNamingTheFieldAndTheExpectedShape(t *testing.T) {
	cases := []struct {
		cfg     notify.ChannelConfig
		path    string
		message string
	}{
		{notify.ChannelConfig{Channel: "wecom", URL: "qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"}, "/url", "is not an absolute URL: expected https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"},
		{notify.ChannelConfig{Channel: "wecom", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"}, "/url", "has no key parameter"},
		{notify.ChannelConfig{Channel: "dingtalk", URL: "http://oapi.dingtalk.com/robot/send?access_token=t"}, "/url", "must use https"},
		{notify.ChannelConfig{Channel: "dingtalk", URL: "https://oapi.dingtalk.com/robot/send", Secret: "env:DT"}, "/url", "has no access_token parameter"},
		{notify.ChannelConfig{Channel: "feishu", URL: "https://open.feishu.cn/open-apis/bot/v2/hook/"}, "/url", "has no bot hook path"},
		{notify.ChannelConfig{Channel: "slack", URL: "https://user:pw@hooks.slack.com/services/T/B/X"}, "/url", "must not carry a user name or password"},
		{notify.ChannelConfig{Channel: "webhook", URL: "https://hooks.example.com/p", Secret: "hunter2"}, "/secret", "expected env:NAME"},
		{notify.ChannelConfig{Channel: "webhook", URL: "https://hooks.example.com/p"}, "/secret", "a generic webhook is signed"},
		{notify.ChannelConfig{Channel: "webhook", URL: "ftp://hooks.example.com/p", Secret: "env:X"}, "/url", "must use https"},
		{notify.ChannelConfig{Channel: "sms"}, "/channel", "expected one of email, wecom"},
		{notify.ChannelConfig{Channel: "email", From: "not an address"}, "/from", "expected an e-mail address"},
	}
	for _, c := range cases {
		errs := c.cfg.Validate(notify.Targets{})
		require.NotEmpty(t, errs, "%+v", c.cfg)
		require.Equal(t, c.path, errs[0].Path, "%+v", c.cfg)
		require.Contains(t, errs[0].Message, c.message, "%+v", c.cfg)
	}
	errs := notify.ChannelConfig{Channel: "webhook", URL: "https://h.example.com/p", Secret: "hunter2"}.Validate(notify.Targets{})
	require.NotContains(t, errs[0].Value, "hunter2", "a pasted secret is not echoed back")
}

func TestWellFormedChannelsPass(t *testing.T) {
	for _, c := range []notify.ChannelConfig{
		{Channel: "wecom", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx"},
		{Channel: "dingtalk", URL: "https://oapi.dingtalk.com/robot/send?access_token=abc", Secret: "env:PERFLOOP_DINGTALK_SECRET"},
		{Channel: "feishu", URL: "https://open.larksuite.com/open-apis/bot/v2/hook/abc-def", Secret: "file:/run/secrets/feishu"},
		{Channel: "slack", URL: "https://hooks.slack.com/services/T0/B0/XYZ"},
		{Channel: "webhook", URL: "http://127.0.0.1:9000/hook", Secret: "env:HOOK"},
		{Channel: "email", From: "HR <hr@example.com>"},
	} {
		require.Empty(t, c.Validate(notify.Targets{}), "%+v", c)
	}
}

func TestTheAPIShowsChannelSecretsMasked(t *testing.T) {
	c := notify.ChannelConfig{Channel: "wecom", URL: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7e2b-4c1d"}.Masked()
	require.Equal(t, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a%2A%2A%2A%2A", c.URL)
	c = notify.ChannelConfig{Channel: "slack", URL: "https://hooks.slack.com/services/T0123ABCD/B0123ABCD/abcdefghijklmnop"}.Masked()
	require.NotContains(t, c.URL, "abcdefghijklmnop")
	c = notify.ChannelConfig{Channel: "dingtalk", URL: "https://oapi.dingtalk.com/robot/send?access_token=abcdef123456", Secret: "env:PERFLOOP_DINGTALK_SECRET"}.Masked()
	require.Equal(t, "env:****", c.Secret)
	require.NotContains(t, c.URL, "abcdef123456")
}

func TestSecretsComeFromTheEnvironmentOrAFile(t *testing.T) {
	t.Setenv("PERFLOOP_TEST_SECRET", "from-env")
	v, err := notify.ResolveSecret("env:PERFLOOP_TEST_SECRET")
	require.NoError(t, err)
	require.Equal(t, "from-env", v)
	path := t.TempDir() + "/s"
	require.NoError(t, writeFile(path, "from-file\n"))
	v, err = notify.ResolveSecret("file:" + path)
	require.NoError(t, err)
	require.Equal(t, "from-file", v)
	_, err = notify.ResolveSecret("env:PERFLOOP_TEST_UNSET_SECRET")
	require.ErrorIs(t, err, notify.ErrSecret)
	_, err = notify.ResolveSecret("plain-secret")
	require.ErrorIs(t, err, notify.ErrSecret)
	require.NotContains(t, err.Error(), "plain-secret")
}

func TestAPolicyNamesBadFieldsByPath(t *testing.T) {
	_, errs := notify.ParsePolicy(`{"window":{"start":"21:00","end":"09:00","days":[1,8]},"digestMinutes":-1,"events":{"reminder":["email","email"],"birthday":["email"]}}`)
	var paths []string
	for _, e := range errs {
		paths = append(paths, e.Path)
	}
	require.Equal(t, []string{"/window/end", "/window/days/1", "/digestMinutes", "/events/birthday", "/events/reminder/1"}, paths)
	p, errs := notify.ParsePolicy("")
	require.Empty(t, errs)
	require.Equal(t, notify.DefaultPolicy(), p)
}
