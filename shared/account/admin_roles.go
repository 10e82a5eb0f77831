package account

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/idco-dev/idco/shared/apierr"
	"github.com/idco-dev/idco/shared/cloudobj"
	"github.com/idco-dev/idco/shared/internal/lazyre"
)

// catalogID is the shape of a role_id or permission_id: uni-admin's.
var catalogID = lazyre.New(`^[A-Za-z0-9_.:-]{1,64}$`)

// RoleParams are createRole's and updateRole's params (uni-id-roles'
// fields); updateRole changes the fields given.
type RoleParams struct {
	RoleID     string    `json:"role_id"`
	RoleName   *string   `json:"role_name"`
	Comment    *string   `json:"comment"`
	Permission *[]string `json:"permission"`
}

// PermissionParams are createPermission's and updatePermission's params.
type PermissionParams struct {
	PermissionID   string  `json:"permission_id"`
	PermissionName *string `json:"permission_name"`
	Comment        *string `json:"comment"`
}

// IDParams name one role or permission.
type IDParams struct {
	RoleID       string `json:"role_id"`
	PermissionID string `json:"permission_id"`
}

// RolesResult is getRoles' answer, sorted by id.
type RolesResult struct {
	Roles       []Role       `json:"roles"`
	Permissions []Permission `json:"permissions"`
}

// GetRoles handles getRoles: every role and permission.
func (s *Service) GetRoles(ctx context.Context, _ *cloudobj.Call, _ *NoParams) (any, error) {
	cat, err := s.Roles.Catalog(ctx)
	if err != nil {
		return nil, storeErr("read role catalog", err)
	}
	out := RolesResult{Roles: []Role{}, Permissions: []Permission{}}
	for _, id := range sortedIDs(cat.Roles) {
		out.Roles = append(out.Roles, cat.Roles[id])
	}
	for _, id := range sortedIDs(cat.Permissions) {
		out.Permissions = append(out.Permissions, cat.Permissions[id])
	}
	return out, nil
}

// CreateRole handles createRole. Its permissions must exist; admin is
// built in and cannot be made.
func (s *Service) CreateRole(ctx context.Context, c *cloudobj.Call, p *RoleParams) (any, error) {
	if err := checkCatalogID("role_id", p.RoleID); err != nil {
		return nil, err
	}
	if p.RoleName == nil || missing(*p.RoleName) {
		return nil, apierr.Param(apierr.ParamRequired, "role_name")
	}
	c.Log("role", p.RoleID)
	return nil, s.editCatalog(ctx, func(cat *Catalog) error {
		if _, ok := cat.Roles[p.RoleID]; ok || p.RoleID == AdminRole {
			return apierr.New(apierr.RoleExists)
		}
		r := Role{RoleID: p.RoleID, Permission: []string{}, CreateDate: ms(s.now())}
		return setRole(cat, &r, p)
	})
}

// UpdateRole handles updateRole: the given fields. The role's users get
// the new permissions with their next token.
func (s *Service) UpdateRole(ctx context.Context, c *cloudobj.Call, p *RoleParams) (any, error) {
	if err := checkCatalogID("role_id", p.RoleID); err != nil {
		return nil, err
	}
	c.Log("role", p.RoleID)
	return nil, s.editCatalog(ctx, func(cat *Catalog) error {
		r, ok := cat.Roles[p.RoleID]
		if !ok {
			return &apierr.Error{Code: apierr.RoleNotFound, Values: map[string]string{"role": p.RoleID}}
		}
		return setRole(cat, &r, p)
	})
}

// DeleteRole handles deleteRole. Users keep the role's name, which grants
// nothing from their next token on, as uni-id's.
func (s *Service) DeleteRole(ctx context.Context, c *cloudobj.Call, p *IDParams) (any, error) {
	if err := checkCatalogID("role_id", p.RoleID); err != nil {
		return nil, err
	}
	c.Log("role", p.RoleID)
	return nil, s.editCatalog(ctx, func(cat *Catalog) error {
		if _, ok := cat.Roles[p.RoleID]; !ok {
			return &apierr.Error{Code: apierr.RoleNotFound, Values: map[string]string{"role": p.RoleID}}
		}
		delete(cat.Roles, p.RoleID)
		return nil
	})
}

// CreatePermission handles createPermission.
func (s *Service) CreatePermission(ctx context.Context, c *cloudobj.Call, p *PermissionParams) (any, error) {
	if err := checkCatalogID("permission_id", p.PermissionID); err != nil {
		return nil, err
	}
	if p.PermissionName == nil || missing(*p.PermissionName) {
		return nil, apierr.Param(apierr.ParamRequired, "permission_name")
	}
	c.Log("permission", p.PermissionID)
	return nil, s.editCatalog(ctx, func(cat *Catalog) error {
		if _, ok := cat.Permissions[p.PermissionID]; ok {
			return apierr.New(apierr.PermissionExists)
		}
		perm := Permission{PermissionID: p.PermissionID, CreateDate: ms(s.now())}
		return setPermission(cat, &perm, p)
	})
}

// UpdatePermission handles updatePermission: the given fields.
func (s *Service) UpdatePermission(ctx context.Context, c *cloudobj.Call, p *PermissionParams) (any, error) {
	if err := checkCatalogID("permission_id", p.PermissionID); err != nil {
		return nil, err
	}
	c.Log("permission", p.PermissionID)
	return nil, s.editCatalog(ctx, func(cat *Catalog) error {
		perm, ok := cat.Permissions[p.PermissionID]
		if !ok {
			return &apierr.Error{Code: apierr.PermissionNotFound, Values: map[string]string{"permission": p.PermissionID}}
		}
		return setPermission(cat, &perm, p)
	})
}

// DeletePermission handles deletePermission: it leaves every role too.
func (s *Service) DeletePermission(ctx context.Context, c *cloudobj.Call, p *IDParams) (any, error) {
	if err := checkCatalogID("permission_id", p.PermissionID); err != nil {
		return nil, err
	}
	c.Log("permission", p.PermissionID)
	return nil, s.editCatalog(ctx, func(cat *Catalog) error {
		if _, ok := cat.Permissions[p.PermissionID]; !ok {
			return &apierr.Error{Code: apierr.PermissionNotFound, Values: map[string]string{"permission": p.PermissionID}}
		}
		delete(cat.Permissions, p.PermissionID)
		for id, r := range cat.Roles {
			r.Permission = slices.DeleteFunc(slices.Clone(r.Permission), func(x string) bool { return x == p.PermissionID })
			cat.Roles[id] = r
		}
		return nil
	})
}

func setRole(cat *Catalog, r *Role, p *RoleParams) error {
	if p.RoleName != nil {
		if missing(*p.RoleName) || len(*p.RoleName) > 64 {
			return apierr.Param(apierr.InvalidParam, "role_name")
		}
		r.RoleName = *p.RoleName
	}
	if p.Comment != nil {
		if len(*p.Comment) > 512 {
			return apierr.Param(apierr.InvalidParam, "comment")
		}
		r.Comment = *p.Comment
	}
	if p.Permission != nil {
		perms := []string{}
		for _, id := range *p.Permission {
			if _, ok := cat.Permissions[id]; !ok {
				return &apierr.Error{Code: apierr.PermissionNotFound, Values: map[string]string{"permission": id}}
			}
			if !slices.Contains(perms, id) {
				perms = append(perms, id)
			}
		}
		r.Permission = perms
	}
	cat.Roles[r.RoleID] = *r
	return nil
}

func setPermission(cat *Catalog, perm *Permission, p *PermissionParams) error {
	if p.PermissionName != nil {
		if missing(*p.PermissionName) || len(*p.PermissionName) > 64 {
			return apierr.Param(apierr.InvalidParam, "permission_name")
		}
		perm.PermissionName = *p.PermissionName
	}
	if p.Comment != nil {
		if len(*p.Comment) > 512 {
			return apierr.Param(apierr.InvalidParam, "comment")
		}
		perm.Comment = *p.Comment
	}
	cat.Permissions[perm.PermissionID] = *perm
	return nil
}

func checkCatalogID(name, id string) error {
	if id == "" {
		return apierr.Param(apierr.ParamRequired, name)
	}
	if !catalogID.MatchString(id) {
		return apierr.Param(apierr.InvalidParam, name)
	}
	return nil
}

// editCatalog applies fn to the catalog and saves it, reading it again
// when another administrator saved first.
func (s *Service) editCatalog(ctx context.Context, fn func(cat *Catalog) error) error {
	for range saveAttempts {
		cat, err := s.Roles.Catalog(ctx)
		if err != nil {
			return storeErr("read role catalog", err)
		}
		if err := fn(cat); err != nil {
			return err
		}
		err = s.Roles.SaveCatalog(ctx, cat)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrConflict) {
			return storeErr("save role catalog", err)
		}
	}
	return apierr.Wrap(apierr.RetryLater, errors.New("role catalog kept changing"))
}

func sortedIDs[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
