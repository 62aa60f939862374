package lint

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // time zones do not depend on the machine's zoneinfo

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
)

func checkCronSchedule(p *pass) {
	for _, o := range p.objects {
		job, ok := o.obj.(*batchv1.CronJob)
		if !ok {
			continue
		}
		if problem := scheduleProblem(job.Spec.Schedule); problem != "" {
			p.report(o.src, args("schedule"), "%s: %s", o, problem)
		}
		if tz := job.Spec.TimeZone; tz != nil {
			if problem := timeZoneProblem(*tz); problem != "" {
				p.report(o.src, args("time_zone", "timeZone"), "%s: %s", o, problem)
			}
		}
	}
}

// scheduleProblem says why the API server would reject a CronJob's
// schedule, or returns "": Kubernetes parses it with robfig/cron's standard
// parser, and refuses time zones written in it.
func scheduleProblem(schedule string) string {
	if strings.Contains(schedule, "TZ") {
		return fmt.Sprintf("schedule %q sets a time zone: use time_zone (the CronJob's timeZone) instead", schedule)
	}
	if _, err := cron.ParseStandard(schedule); err != nil {
		return fmt.Sprintf("schedule %q is not valid: %v (want 5 fields, minute hour day-of-month month day-of-week, such as \"30 0 * * *\", or @hourly, @daily and the like)", schedule, err)
	}
	return ""
}

// timeZoneProblem says why the API server would reject a CronJob's time
// zone, or returns "".
func timeZoneProblem(tz string) string {
	if tz == "" || strings.EqualFold(tz, "Local") {
		return fmt.Sprintf("time zone %q is not an IANA time zone name such as \"America/New_York\"", tz)
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return fmt.Sprintf("time zone %q is unknown, want an IANA time zone name such as \"America/New_York\"", tz)
	}
	return ""
}
