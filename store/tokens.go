package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ErrTokenInvalid covers unknown, expired and revoked tokens alike, so a
// caller learns nothing about which tokens exist.
var ErrTokenInvalid = errors.New("token is unknown, expired or revoked")

// TokenPrefix marks Perfloop tokens so secret scanners and people can recognise them.
const TokenPrefix = "pfl_"

// HashToken is how tokens are stored: SHA-256 is enough because tokens carry
// 256 bits of randomness, so no password-style slow hash is needed.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// IssueToken creates a token for a member and returns the plain token, which is not stored.
func (s *Store) IssueToken(ctx context.Context, memberID, name string, ttl time.Duration) (string, *APIToken, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", nil, fmt.Errorf("issue token: %w", err)
	}
	plain := TokenPrefix + base64.RawURLEncoding.EncodeToString(buf)
	t, err := s.storeToken(ctx, memberID, name, plain, ttl)
	return plain, t, err
}

// ImportToken stores a token whose plain text the caller chose (demo seeding
// writes stable tokens so the README's examples keep working across restarts).
func (s *Store) ImportToken(ctx context.Context, memberID, name, plain string, ttl time.Duration) (*APIToken, error) {
	return s.storeToken(ctx, memberID, name, plain, ttl)
}

func (s *Store) storeToken(ctx context.Context, memberID, name, plain string, ttl time.Duration) (*APIToken, error) {
	t := &APIToken{ID: NewID(), MemberID: memberID, Name: name, Hash: HashToken(plain)}
	if ttl > 0 {
		exp := time.Now().UTC().Add(ttl)
		t.ExpiresAt = &exp
	}
	err := s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(t).Error; err != nil {
			return writeErr("store token", err)
		}
		return auditChange(tx, "token.issue", "member", memberID, nil, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Authenticate resolves a bearer token to its active member.
func (s *Store) Authenticate(ctx context.Context, plain string) (*Member, *APIToken, error) {
	var t APIToken
	err := s.DB.WithContext(ctx).Take(&t, "hash = ?", HashToken(plain)).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, nil, fmt.Errorf("authenticate: %w", err)
	}
	now := time.Now().UTC()
	if t.RevokedAt != nil || (t.ExpiresAt != nil && now.After(*t.ExpiresAt)) {
		return nil, nil, ErrTokenInvalid
	}
	var m Member
	err = s.DB.WithContext(ctx).Take(&m, "id = ?", t.MemberID).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !m.Active) {
		return nil, nil, ErrTokenInvalid
	}
	if err != nil {
		return nil, nil, fmt.Errorf("authenticate: %w", err)
	}
	s.noteUse(t, now)
	return &m, &t, nil
}

// tokenUseEvery is how stale a token's lastUsedAt may grow: recording every
// request would make each read a write.
const tokenUseEvery = time.Minute

// noteUse records a token's use at most once per tokenUseEvery, off the
// request's path: a busy database must not slow or fail the sign-in.
func (s *Store) noteUse(t APIToken, now time.Time) {
	if t.LastUsedAt != nil && now.Sub(*t.LastUsedAt) < tokenUseEvery {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// The condition makes concurrent requests of the same minute write once.
		_ = s.DB.WithContext(ctx).Model(&APIToken{}).
			Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", t.ID, now.Add(-tokenUseEvery)).
			Update("last_used_at", now).Error
	}()
}

// RevokeToken revokes one token of a member.
func (s *Store) RevokeToken(ctx context.Context, memberID, tokenID string) error {
	return s.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var before APIToken
		if err := tx.Take(&before, "id = ? AND member_id = ? AND revoked_at IS NULL", tokenID, memberID).Error; err != nil {
			return notFound("revoke token "+tokenID, err)
		}
		after := before
		now := time.Now().UTC()
		after.RevokedAt = &now
		res := tx.Model(&APIToken{}).Where("id = ? AND revoked_at IS NULL", tokenID).Update("revoked_at", now)
		if res.Error != nil {
			return fmt.Errorf("revoke token: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("revoke token %s: %w", tokenID, ErrNotFound)
		}
		return auditChange(tx, "token.revoke", "member", memberID, before, after)
	})
}

// RevokeMemberTokens revokes every live token of a member.
func (s *Store) RevokeMemberTokens(ctx context.Context, memberID string) error {
	return revokeMemberTokens(s.DB.WithContext(ctx), memberID)
}

func revokeMemberTokens(db *gorm.DB, memberID string) error {
	err := db.Model(&APIToken{}).
		Where("member_id = ? AND revoked_at IS NULL", memberID).
		Update("revoked_at", time.Now().UTC()).Error
	if err != nil {
		return fmt.Errorf("revoke tokens of %s: %w", memberID, err)
	}
	return nil
}

// MemberByEmail finds the active member with an email (any organisation;
// emails are how an SSO token names a person).
func (s *Store) MemberByEmail(ctx context.Context, email string) (*Member, error) {
	var m Member
	err := s.DB.WithContext(ctx).Where("LOWER(email) = ? AND active = ?", strings.ToLower(email), true).Take(&m).Error
	if err != nil {
		return nil, notFound("member by email", err)
	}
	return &m, nil
}

// ListTokens lists a member's tokens (never their secrets), newest first.
func (s *Store) ListTokens(ctx context.Context, memberID string) ([]APIToken, error) {
	var out []APIToken
	if err := s.DB.WithContext(ctx).Where("member_id = ?", memberID).Order("created_at DESC").Find(&out).Error; err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}
