// Package demo seeds the organisation `perfloop dev` starts with: an
// operations department with a community team and a customer-service team,
// their managers, an HRBP and an admin, each with an API token.
//
// The people and positions follow the roles of a private-domain (私域)
// operations team described in DOMAIN.md, so a user of this field recognises
// the product at once. demo may import store; nothing imports demo but cmd and tests.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/perfloop/perfloop/store"
)

// User is one demo login, as written to demo-users.json.
type User struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Role  string `json:"role"`
	Team  string `json:"team"`
	Token string `json:"token"`
}

// UsersFile is where Seed writes the demo logins, inside the data directory.
const UsersFile = "demo-users.json"

// Org is the demo organisation as an import file.
func Org() store.OrgImport {
	o := store.OrgImport{Teams: []store.ImportTeam{
		{Key: "ops", Name: "私域运营部", NameEn: "Private-domain operations", Manager: "zhou.min@demo.perfloop.dev"},
		{Key: "community", Name: "社群运营组", NameEn: "Community operations", Parent: "ops", Manager: "liu.yang@demo.perfloop.dev"},
		{Key: "cs", Name: "客服运营组", NameEn: "Customer operations", Parent: "ops", Manager: "chen.jing@demo.perfloop.dev"},
	}}
	add := func(name, email, role, team, position, level, manager, locale, joined string) {
		o.Members = append(o.Members, store.ImportMember{Name: name, Email: email + "@demo.perfloop.dev", Role: role, Team: team,
			Position: position, Level: level, Manager: manager, Timezone: "Asia/Shanghai", Locale: locale, JoinedOn: joined})
	}
	add("周敏", "zhou.min", store.RoleManager, "ops", "运营总监 Head of operations", "M3", "", "zh", "2021-04-01")
	add("孙丽", "sun.li", store.RoleHRBP, "ops", "HRBP", "P6", "", "zh", "2022-02-14")
	add("Alex Admin", "admin", store.RoleAdmin, "ops", "系统管理员 System admin", "P5", "", "en", "2020-09-01")

	add("刘洋", "liu.yang", store.RoleManager, "community", "社群运营经理 Community manager", "M1", "zhou.min@demo.perfloop.dev", "zh", "2022-06-01")
	community := []struct{ name, email, position, level, joined string }{
		{"张伟", "zhang.wei", "社群运营 Community operator", "P4", "2023-03-01"},
		{"王芳", "wang.fang", "社群运营 Community operator", "P4", "2023-07-10"},
		{"李娜", "li.na", "内容运营 Content creator", "P5", "2022-11-21"},
		{"赵磊", "zhao.lei", "引流专员 Traffic acquisition", "P3", "2024-05-06"},
		{"黄静", "huang.jing", "运营助理(初级) Operations assistant, junior", "P2", "2025-02-17"},
		{"吴杰", "wu.jie", "运营助理(高级) Operations assistant, senior", "P4", "2023-09-04"},
		{"徐婷", "xu.ting", "数据分析 Data analyst", "P5", "2022-08-15"},
		{"马超", "ma.chao", "社群运营 Community operator", "P3", "2025-06-02"},
		{"朱琳", "zhu.lin", "活动策划 Event planner", "P4", "2024-01-08"},
	}
	for _, m := range community {
		add(m.name, m.email, store.RoleEmployee, "community", m.position, m.level, "liu.yang@demo.perfloop.dev", "zh", m.joined)
	}
	add("陈静", "chen.jing", store.RoleManager, "cs", "客服运营经理 Customer operations manager", "M1", "zhou.min@demo.perfloop.dev", "zh", "2021-12-01")
	cs := []struct{ name, email, position, level, joined string }{
		{"林涛", "lin.tao", "客服专员 Customer service", "P3", "2024-03-11"},
		{"郭敏", "guo.min", "客服专员 Customer service", "P3", "2024-08-19"},
		{"何勇", "he.yong", "1对1服务 1-on-1 advisor", "P4", "2023-05-22"},
		{"高洁", "gao.jie", "1对1服务 1-on-1 advisor", "P4", "2023-10-09"},
		{"罗平", "luo.ping", "客服专员 Customer service", "P2", "2025-04-01"},
		{"梁雪", "liang.xue", "会员运营 Membership operations", "P4", "2022-12-05"},
		{"宋佳", "song.jia", "客服质检 Service QA", "P5", "2022-03-28"},
		{"Emily Tan", "emily.tan", "海外客服 Overseas service", "P3", "2024-11-18"},
		{"唐明", "tang.ming", "客服专员 Customer service", "P2", "2025-08-25"},
	}
	for _, m := range cs {
		locale := "zh"
		if m.email == "emily.tan" {
			locale = "en"
		}
		add(m.name, m.email, store.RoleEmployee, "cs", m.position, m.level, "chen.jing@demo.perfloop.dev", locale, m.joined)
	}
	return o
}

// Seed creates the demo organisation once and returns every demo login.
// On a later start it reads the logins back from dataDir/demo-users.json
// instead of issuing new tokens, so bookmarks and scripts keep working.
// dataDir "" (ephemeral mode) keeps the file out of the disk.
func Seed(ctx context.Context, s *store.Store, dataDir string) ([]User, bool, error) {
	if _, err := s.FirstOrganization(ctx); err == nil {
		users, err := readUsers(dataDir)
		return users, false, err
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, false, fmt.Errorf("seed: %w", err)
	}
	org := &store.Organization{Name: "星河私域运营 Xinghe Private-domain Ops", Timezone: "Asia/Shanghai", Locale: "zh"}
	if err := s.CreateOrganization(ctx, org); err != nil {
		return nil, false, fmt.Errorf("seed: %w", err)
	}
	file := Org()
	if _, err := s.ImportOrg(ctx, org.ID, "system", file, false); err != nil {
		return nil, false, fmt.Errorf("seed organisation: %w", err)
	}
	members, _, err := s.ListMembers(ctx, org.ID, store.MemberFilter{}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		return nil, false, fmt.Errorf("seed: %w", err)
	}
	byEmail := map[string]store.Member{}
	for _, m := range members {
		byEmail[m.Email] = m
	}
	var users []User
	for _, im := range file.Members {
		m := byEmail[im.Email]
		token, _, err := s.IssueToken(ctx, m.ID, "demo", 0)
		if err != nil {
			return nil, false, fmt.Errorf("seed token for %s: %w", im.Email, err)
		}
		users = append(users, User{Name: m.Name, Email: m.Email, Role: m.Role, Team: im.Team, Token: token})
	}
	if dataDir != "" {
		body, _ := json.MarshalIndent(users, "", "  ")
		if err := os.WriteFile(filepath.Join(dataDir, UsersFile), body, 0o600); err != nil {
			return nil, false, fmt.Errorf("write %s: %w", UsersFile, err)
		}
	}
	return users, true, nil
}

func readUsers(dataDir string) ([]User, error) {
	if dataDir == "" {
		return nil, nil
	}
	body, err := os.ReadFile(filepath.Join(dataDir, UsersFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", UsersFile, err)
	}
	var users []User
	if err := json.Unmarshal(body, &users); err != nil {
		return nil, fmt.Errorf("read %s: %w", UsersFile, err)
	}
	return users, nil
}
