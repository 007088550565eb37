package store

import (
	"time"

	"github.com/google/uuid"
)

// Roles a member can hold. HRBP facilitates calibration; admin owns templates and the organisation.
const (
	RoleAdmin    = "admin"
	RoleHRBP     = "hrbp"
	RoleManager  = "manager"
	RoleEmployee = "employee"
)

// Roles lists the valid roles in order of reach.
var Roles = []string{RoleAdmin, RoleHRBP, RoleManager, RoleEmployee}

// NewID returns a time-ordered UUID (v7), so primary keys stay index-friendly on InnoDB.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

type Organization struct {
	ID        string `gorm:"primaryKey"`
	Name      string
	Timezone  string
	Locale    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Team is a node of the organisation tree (ParentID nil at the top).
type Team struct {
	ID        string    `gorm:"primaryKey" json:"id"`
	OrgID     string    `json:"-"`
	Key       string    `gorm:"column:team_key" json:"key"`
	Name      string    `json:"name"`
	NameEn    string    `json:"nameEn"`
	ParentID  *string   `json:"parentId"`
	ManagerID *string   `json:"managerId"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

type Member struct {
	ID        string     `gorm:"primaryKey" json:"id"`
	OrgID     string     `json:"-"`
	TeamID    *string    `json:"teamId"`
	Name      string     `json:"name"`
	Email     string     `json:"email"`
	Role      string     `json:"role"`
	Position  string     `json:"position"`
	Level     string     `json:"level"`
	ManagerID *string    `json:"managerId"`
	Timezone  string     `json:"timezone"`
	Locale    string     `json:"locale"`
	JoinedOn  *time.Time `json:"joinedOn"`
	Active    bool       `json:"active"`
	Version   int        `json:"version"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
}

// APIToken stores only the SHA-256 of a bearer token; the plain token is shown once.
type APIToken struct {
	ID         string     `gorm:"primaryKey" json:"id"`
	MemberID   string     `json:"memberId"`
	Name       string     `json:"name"`
	Hash       string     `json:"-"`
	ExpiresAt  *time.Time `json:"expiresAt"`
	RevokedAt  *time.Time `json:"revokedAt"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
	CreatedAt  time.Time  `json:"createdAt"`
}

func (APIToken) TableName() string { return "api_tokens" }

// Template statuses: a draft may change; a published version is frozen (its
// checksum is stored) and cycles pin it; a retired version launches nothing new.
const (
	TemplateDraft     = "draft"
	TemplatePublished = "published"
	TemplateRetired   = "retired"
)

type TemplateVersion struct {
	ID          string     `gorm:"primaryKey" json:"id"`
	OrgID       string     `json:"-"` // SharedCatalogue for the built-ins and the CLI's
	Key         string     `gorm:"column:template_key" json:"key"`
	Version     int        `json:"version"`
	Status      string     `json:"status"`
	Name        string     `json:"name"`
	NameEn      string     `json:"nameEn"`
	Body        string     `json:"-"`
	Checksum    string     `json:"checksum"`
	CreatedBy   string     `json:"createdBy"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
	PublishedAt *time.Time `json:"publishedAt"`
	RetiredAt   *time.Time `json:"retiredAt"`
}

// AuditEntry records who changed what; Detail is JSON.
type AuditEntry struct {
	ID       string    `gorm:"primaryKey" json:"id"`
	At       time.Time `json:"at"`
	ActorID  string    `json:"actorId"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entityId"`
	Detail   string    `json:"detail"`
}

func (AuditEntry) TableName() string { return "audit_log" }
