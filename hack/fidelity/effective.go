package main

import (
	"regexp"
	"strings"
)

// Two sides can say the same thing in different places. A container's
// security context inherits some fields from its pod's, so runAsUser set
// on the pod or on each container has one effect; and some fields that the
// apiserver leaves unset have a default in the kubelet or the container
// runtime (privileged: false). [effective] looks a field up with that in
// mind.

// inherited are the fields of a pod's security context that its
// containers inherit unless they set their own.
var inherited = `(runAsUser|runAsGroup|runAsNonRoot|seccompProfile\..+|seLinuxOptions\..+|windowsOptions\..+|appArmorProfile\..+)`

var (
	// containerSecurityRE matches a container's inheritable security field:
	// the pod spec's path, the container, and the field.
	containerSecurityRE = regexp.MustCompile(`^(.*)(?:containers|initContainers)\[([^\]]+)\]\.securityContext\.` + inherited + `$`)
	// podSecurityRE matches a pod's inheritable security field: the pod
	// spec's path and the field.
	podSecurityRE = regexp.MustCompile(`^(|.*\.)securityContext\.` + inherited + `$`)
)

// runtimeDefaults are the fields that the apiserver does not fill in when
// they are unset (in a pod template), but that mean the same unset as with
// a value, by the suffix of their path: the kubelet's and the container
// runtime's defaults, and the ServiceAccount that admission gives a pod.
var runtimeDefaults = []struct{ suffix, value string }{
	{".securityContext.privileged", "false"},
	{".securityContext.readOnlyRootFilesystem", "false"},
	{".securityContext.runAsNonRoot", "false"},
	{".hostNetwork", "false"},
	{".hostPID", "false"},
	{".hostIPC", "false"},
	{".stdin", "false"},
	{".tty", "false"},
	{".serviceAccountName", `"default"`},
	{".serviceAccount", `"default"`},
}

// runtimeDefault returns the runtime default of the field at path, or "".
func runtimeDefault(path string) string {
	for _, d := range runtimeDefaults {
		if strings.HasSuffix(path, d.suffix) {
			return d.value
		}
	}
	return ""
}

// effective returns the value that f gives the field at path in effect:
// its own; else, for an inheritable field of a container's security
// context, the pod's; else, for such a field of the pod's, the value that
// every container of the pod sets (when all set the same); else the
// field's runtime default, if it has one.
func effective(f Fields, path string) string {
	if v, ok := f[path]; ok {
		return v
	}
	if m := containerSecurityRE.FindStringSubmatch(path); m != nil {
		if v, ok := f[m[1]+"securityContext."+m[3]]; ok {
			return v
		}
	} else if m := podSecurityRE.FindStringSubmatch(path); m != nil {
		if v := fromEveryContainer(f, m[1], m[2]); v != "" {
			return v
		}
	}
	return runtimeDefault(path)
}

// fromEveryContainer returns the value of security field that every
// container of the pod spec at prefix sets in f, or "" if one sets another
// or none, or the pod has no containers.
func fromEveryContainer(f Fields, prefix, field string) string {
	names := map[string]bool{}
	for p := range f {
		for _, list := range []string{"containers[", "initContainers["} {
			if rest, ok := strings.CutPrefix(p, prefix+list); ok {
				if i := strings.Index(rest, "]"); i >= 0 {
					names[list+rest[:i+1]] = true
				}
			}
		}
	}
	value := ""
	for c := range names {
		v, ok := f[prefix+c+".securityContext."+field]
		if !ok || value != "" && v != value {
			return ""
		}
		value = v
	}
	return value
}
