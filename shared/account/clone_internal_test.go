package account

import (
	"reflect"
	"testing"
)

// TestCloneUserCopiesEveryField: after cloneUser, no map, slice or pointer
// field of the copy is the original's, so a retried save never writes into
// the caller's record. A field added to User and not copied fails here.
func TestCloneUserCopiesEveryField(t *testing.T) {
	u := &User{}
	v := reflect.ValueOf(u).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Map:
			f.Set(reflect.MakeMapWithSize(f.Type(), 1))
			f.SetMapIndex(reflect.New(f.Type().Key()).Elem(), reflect.New(f.Type().Elem()).Elem())
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		}
	}
	c := reflect.ValueOf(cloneUser(u)).Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		switch f, g := v.Field(i), c.Field(i); f.Kind() {
		case reflect.Map, reflect.Pointer:
			if f.UnsafePointer() == g.UnsafePointer() {
				t.Errorf("cloneUser shares field %s with the original", name)
			}
			if !reflect.DeepEqual(f.Interface(), g.Interface()) {
				t.Errorf("cloneUser changed field %s", name)
			}
		case reflect.Slice:
			if f.UnsafePointer() == g.UnsafePointer() {
				t.Errorf("cloneUser shares field %s with the original", name)
			}
		}
	}
	if c := cloneUser(&User{}); c.Role != nil || c.DcloudAppid != nil || c.Sessions == nil {
		t.Errorf("cloneUser of an empty user: role %v, dcloud_appid %v (nil means every app), sessions %v", c.Role, c.DcloudAppid, c.Sessions)
	}
}
