package account

import (
	"context"
	"slices"
)

// AdminRole is uni-id's administrator role: it passes every access rule.
const AdminRole = "admin"

// Role is one of uni-id's uni-id-roles: the permissions it grants.
type Role struct {
	RoleID     string   `json:"role_id"`
	RoleName   string   `json:"role_name"`
	Comment    string   `json:"comment,omitempty"`
	Permission []string `json:"permission"`
	CreateDate int64    `json:"create_date"`
}

// Permission is one of uni-id's uni-id-permissions.
type Permission struct {
	PermissionID   string `json:"permission_id"`
	PermissionName string `json:"permission_name"`
	Comment        string `json:"comment,omitempty"`
	CreateDate     int64  `json:"create_date"`
}

// Catalog is every role and permission: a deployment has tens, not
// thousands, so they are kept and read as one document.
type Catalog struct {
	// Version counts saves: 0 for a catalog never saved.
	Version     int64                 `json:"-"`
	Roles       map[string]Role       `json:"roles"`
	Permissions map[string]Permission `json:"permissions"`
}

// Roles stores the catalog.
type Roles interface {
	// Catalog returns the catalog with a strongly consistent read: an empty
	// one (Version 0) when none was saved.
	Catalog(ctx context.Context) (*Catalog, error)
	// SaveCatalog writes c if the stored Version is still c.Version (then
	// it becomes c.Version+1). It returns ErrConflict, writing nothing,
	// when another save came first.
	SaveCatalog(ctx context.Context, c *Catalog) error
}

// PermissionsOf is uni-id's token permission claim for roles: none for the
// administrator (who passes every rule), else the union of the roles'
// permissions, sorted.
func (c *Catalog) PermissionsOf(roles []string) []string {
	out := []string{}
	if slices.Contains(roles, AdminRole) {
		return out
	}
	for _, r := range roles {
		for _, p := range c.Roles[r].Permission {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return out
}
