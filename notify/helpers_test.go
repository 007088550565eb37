package notify_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"os"
	"time"

	"github.com/perfloop/perfloop/notify"
)

func base64Reader(data []byte) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, bytes.NewReader(bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r"), nil), []byte("\n"), nil)))
}

func invite() notify.Invite {
	start := time.Date(2026, 11, 3, 2, 0, 0, 0, time.UTC) // 10:00 Shanghai
	return notify.Invite{
		UID: "calibration-c1@perfloop", Start: start, End: start.Add(time.Hour), Timezone: "Asia/Shanghai",
		Summary: "校准会 · 2026-10 / Calibration 2026-10", Organizer: notify.Person{Name: "韩梅梅", Email: "hrbp@example.com"},
		Attendees: []notify.Person{{Name: "王芳", Email: "wang.fang@example.com"}, {Name: "李雷", Email: "li.lei@example.com"}},
		Stamp:     time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC),
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }
