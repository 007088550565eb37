package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/perfloop/perfloop/notify"
	"github.com/perfloop/perfloop/store"
)

// channelInput configures one delivery channel for the organisation, or
// for one team when teamId is set. The secret is a reference
// (env:NAME or file:/path), never the secret itself.
type channelInput struct {
	Channel string  `json:"channel"`
	TeamID  *string `json:"teamId,omitempty"`
	URL     string  `json:"url,omitempty"`
	Secret  string  `json:"secret,omitempty"`
	From    string  `json:"from,omitempty"`
}

// channelView is a channel as the API shows it: URL tokens and the secret
// reference masked.
type channelView struct {
	ID        string  `json:"id"`
	Channel   string  `json:"channel"`
	TeamID    *string `json:"teamId"`
	URL       string  `json:"url,omitempty"`
	Secret    string  `json:"secret,omitempty"`
	From      string  `json:"from,omitempty"`
	UpdatedAt string  `json:"updatedAt"`
}

func viewChannel(c store.ChannelConfig) channelView {
	m := notify.ChannelConfig{Channel: c.Channel, URL: c.URL, Secret: c.SecretRef, From: c.Sender}.Masked()
	return channelView{ID: c.ID, Channel: c.Channel, TeamID: c.TeamID, URL: m.URL, Secret: m.Secret, From: m.From, UpdatedAt: c.UpdatedAt.UTC().Format("2006-01-02T15:04:05Z")}
}

func deliveryRoutes() []route {
	return []route{
		{"GET", "/api/v1/notifications/failures", adminOnly, (*Server).deliveryFailures, Doc{Tag: "notifications", Summary: "Deliveries that failed for good (SMTP 5xx, webhook 4xx, retries used up) or are failing now, newest first, with the last error", Query: []string{"limit", "offset", "sort"}, Responses: map[int]any{200: list[store.Delivery]{}}}},
		{"GET", "/api/v1/notifications/policy", adminOnly, (*Server).deliveryPolicy, Doc{Tag: "notifications", Summary: "The organisation's delivery policy: sending window (quiet hours, working days), digest minutes, default channels per event", Responses: map[int]any{200: notify.Policy{}}}},
		{"PUT", "/api/v1/notifications/policy", adminOnly, (*Server).saveDeliveryPolicy, Doc{Tag: "notifications", Summary: "Replace the delivery policy; 400 names every bad field", Request: notify.Policy{}, Responses: map[int]any{200: notify.Policy{}}}},
		{"GET", "/api/v1/channels", adminOnly, (*Server).listChannels, Doc{Tag: "notifications", Summary: "Delivery channels of the organisation and its teams; URL tokens and secrets masked", Responses: map[int]any{200: list[channelView]{}}}},
		{"PUT", "/api/v1/channels", adminOnly, (*Server).saveChannel, Doc{Tag: "notifications", Summary: "Configure a channel (e-mail, WeCom, DingTalk, Feishu, Slack, signed webhook) for the organisation or a team; 400 names a malformed URL or secret reference", Request: channelInput{}, Responses: map[int]any{200: channelView{}}}},
		{"DELETE", "/api/v1/channels/:id", adminOnly, (*Server).deleteChannel, Doc{Tag: "notifications", Summary: "Remove a channel configuration", Responses: map[int]any{204: nil}}},
	}
}

func (s *Server) deliveryFailures(c *gin.Context) {
	p, err := pageFrom(c)
	if err != nil {
		writeError(c, err)
		return
	}
	out, total, err := s.store.DeliveryFailures(c.Request.Context(), caller(c).OrgID, p)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, newList(out, total, p))
}

func (s *Server) listChannels(c *gin.Context) {
	all, err := s.store.ListChannelConfigs(c.Request.Context(), caller(c).OrgID)
	if err != nil {
		writeError(c, err)
		return
	}
	out := make([]channelView, len(all))
	for i, ch := range all {
		out[i] = viewChannel(ch)
	}
	c.JSON(http.StatusOK, wholeList(out))
}

func (s *Server) saveChannel(c *gin.Context) {
	var in channelInput
	if err := decodeJSON(c, &in); err != nil {
		writeError(c, err)
		return
	}
	cfg := notify.ChannelConfig{Channel: in.Channel, URL: in.URL, Secret: in.Secret, From: in.From}
	if errs := cfg.Validate(s.hooks); len(errs) > 0 {
		writeError(c, badRequest("the channel configuration is not valid", details(errs)...))
		return
	}
	me := caller(c)
	ctx := c.Request.Context()
	if in.TeamID != nil {
		if _, err := s.store.GetTeam(ctx, me.OrgID, *in.TeamID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				writeError(c, badRequest("the channel configuration is not valid", Detail{Path: "/teamId", Value: *in.TeamID, Message: "no such team in this organisation; leave it out to configure the whole organisation"}))
				return
			}
			writeError(c, err)
			return
		}
	}
	row := &store.ChannelConfig{OrgID: me.OrgID, TeamID: in.TeamID, Channel: in.Channel, URL: in.URL, SecretRef: in.Secret, Sender: in.From, CreatedBy: me.ID}
	if err := s.store.SaveChannelConfig(ctx, row); err != nil {
		writeError(c, err)
		return
	}
	masked := viewChannel(*row)
	_ = store.Audit(s.store.DB.WithContext(ctx), me.ID, "channel.save", "channel", row.ID, masked)
	c.JSON(http.StatusOK, masked)
}

func (s *Server) deleteChannel(c *gin.Context) {
	me := caller(c)
	if err := s.store.DeleteChannelConfig(c.Request.Context(), me.OrgID, c.Param("id")); err != nil {
		writeError(c, err)
		return
	}
	_ = store.Audit(s.store.DB.WithContext(c.Request.Context()), me.ID, "channel.delete", "channel", c.Param("id"), nil)
	c.Status(http.StatusNoContent)
}

func (s *Server) deliveryPolicy(c *gin.Context) {
	raw, err := s.store.DeliveryPolicy(c.Request.Context(), caller(c).OrgID)
	if err != nil {
		writeError(c, err)
		return
	}
	p, _ := notify.ParsePolicy(raw)
	c.JSON(http.StatusOK, p)
}

func (s *Server) saveDeliveryPolicy(c *gin.Context) {
	var p notify.Policy
	if err := decodeJSON(c, &p); err != nil {
		writeError(c, err)
		return
	}
	if errs := p.Validate(); len(errs) > 0 {
		writeError(c, badRequest("the delivery policy is not valid", details(errs)...))
		return
	}
	body, _ := json.Marshal(p)
	me := caller(c)
	if err := s.store.SaveDeliveryPolicy(c.Request.Context(), me.OrgID, string(body)); err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, p)
}

func details(errs []notify.FieldError) []Detail {
	out := make([]Detail, len(errs))
	for i, e := range errs {
		out[i] = Detail{Path: e.Path, Value: e.Value, Message: e.Message}
	}
	return out
}
