//go:build !lean

package devstack

import (
	"context"

	"github.com/perfloop/perfloop/app"
	"github.com/perfloop/perfloop/store"
)

// enableDevEmail turns e-mail on for the demo organisation when `perfloop
// dev` has an SMTP sink, so its reminders land there without an admin step.
func enableDevEmail(ctx context.Context, p app.Parts) error {
	if !p.Mail.Configured() {
		return nil
	}
	org, err := p.Store.FirstOrganization(ctx)
	if err != nil {
		return nil // no organisation yet: nothing to enable
	}
	chs, err := p.Store.ListChannelConfigs(ctx, org.ID)
	if err != nil {
		return err
	}
	for _, c := range chs {
		if c.Channel == store.ChannelEmail {
			return nil
		}
	}
	return p.Store.SaveChannelConfig(ctx, &store.ChannelConfig{OrgID: org.ID, Channel: store.ChannelEmail, CreatedBy: "perfloop dev"})
}
