package k8s

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/svccfg/svccfg/lib/diag"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
)

// A Problem is a value in a Kubernetes object that the API server would
// reject: a string outside the values an enum-like field allows, or a
// label or annotation that is not valid.
type Problem struct {
	// Path leads to the value, as Kubernetes' JSON spells it:
	// "spec.ports[0].protocol", `metadata.labels["bad label"]`.
	Path string
	// Field is the name of the field that holds the value, as a
	// constructor's keyword argument or a dict's key writes it, or "" for
	// a map key (Value is the key then).
	Field string
	// Value is the offending string.
	Value string
	// Msg says what is wrong with it, beginning with the path.
	Msg string
}

// Validate returns the problems in obj, a k8s.io/api struct, that
// Kubernetes' validation would reject, checked offline: every enum-like
// string field that svccfg knows (a Service's type and traffic policies, a
// port's protocol, a container's imagePullPolicy, a pod's restartPolicy and
// dnsPolicy, and more) against the values k8s.io/api declares for it, with
// a suggestion for a near miss; the keys and values of labels and selectors
// and the keys of annotations with k8s.io/apimachinery's validation; and a
// workload's restartPolicy against what its kind allows. Empty strings,
// which leave a field to its default, are not checked.
func Validate(obj runtime.Object) []Problem {
	v := &validator{}
	x := reflect.ValueOf(obj)
	v.walk(x, planOf(x.Type()), make(path, 0, 16))
	v.restartPolicy(obj)
	return v.problems
}

// A validator collects the problems of one object.
type validator struct{ problems []Problem }

// fieldKey names a field: the struct type that holds it and its Go name.
type fieldKey struct {
	t    reflect.Type
	name string
}

// field returns the key of T's field called name.
func field[T any](name string) fieldKey {
	t := reflect.TypeFor[T]()
	if _, ok := t.FieldByName(name); !ok {
		panic(fmt.Sprintf("k8s: %s has no field %s", t, name)) // caught by tests
	}
	return fieldKey{t, name}
}

// values returns the values of an enum-like string type as strings.
func values[S ~string](vs ...S) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// enums are the values that each enum-like field allows, from the typed
// constants of k8s.io/api (k8s.io/kubernetes' validation, which enforces
// them, is not a library to depend on).
var enums = map[fieldKey][]string{
	field[corev1.ServiceSpec]("Type"): values(corev1.ServiceTypeClusterIP, corev1.ServiceTypeNodePort,
		corev1.ServiceTypeLoadBalancer, corev1.ServiceTypeExternalName),
	field[corev1.ServiceSpec]("ExternalTrafficPolicy"): values(corev1.ServiceExternalTrafficPolicyCluster, corev1.ServiceExternalTrafficPolicyLocal),
	field[corev1.ServiceSpec]("InternalTrafficPolicy"): values(corev1.ServiceInternalTrafficPolicyCluster, corev1.ServiceInternalTrafficPolicyLocal),
	field[corev1.ServiceSpec]("SessionAffinity"):       values(corev1.ServiceAffinityNone, corev1.ServiceAffinityClientIP),
	field[corev1.ServiceSpec]("IPFamilyPolicy"): values(corev1.IPFamilyPolicySingleStack, corev1.IPFamilyPolicyPreferDualStack,
		corev1.IPFamilyPolicyRequireDualStack),
	field[corev1.ServiceSpec]("IPFamilies"):    values(corev1.IPv4Protocol, corev1.IPv6Protocol),
	field[corev1.ServicePort]("Protocol"):      protocols,
	field[corev1.ContainerPort]("Protocol"):    protocols,
	field[corev1.Container]("ImagePullPolicy"): values(corev1.PullAlways, corev1.PullNever, corev1.PullIfNotPresent),
	field[corev1.Container]("TerminationMessagePolicy"): values(corev1.TerminationMessageReadFile,
		corev1.TerminationMessageFallbackToLogsOnError),
	field[corev1.Container]("RestartPolicy"): values(corev1.ContainerRestartPolicyAlways),
	field[corev1.PodSpec]("RestartPolicy"):   values(corev1.RestartPolicyAlways, corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever),
	field[corev1.PodSpec]("DNSPolicy"): values(corev1.DNSClusterFirstWithHostNet, corev1.DNSClusterFirst,
		corev1.DNSDefault, corev1.DNSNone),
	field[corev1.PodSpec]("PreemptionPolicy"): values(corev1.PreemptLowerPriority, corev1.PreemptNever),
	field[corev1.Toleration]("Operator"):      values(corev1.TolerationOpExists, corev1.TolerationOpEqual),
	field[corev1.Toleration]("Effect"): values(corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule,
		corev1.TaintEffectNoExecute),
	field[corev1.HTTPGetAction]("Scheme"): values(corev1.URISchemeHTTP, corev1.URISchemeHTTPS),
	field[corev1.SeccompProfile]("Type"): values(corev1.SeccompProfileTypeUnconfined, corev1.SeccompProfileTypeRuntimeDefault,
		corev1.SeccompProfileTypeLocalhost),
	field[corev1.TopologySpreadConstraint]("WhenUnsatisfiable"):  values(corev1.DoNotSchedule, corev1.ScheduleAnyway),
	field[corev1.TopologySpreadConstraint]("NodeAffinityPolicy"): values(corev1.NodeInclusionPolicyIgnore, corev1.NodeInclusionPolicyHonor),
	field[corev1.TopologySpreadConstraint]("NodeTaintsPolicy"):   values(corev1.NodeInclusionPolicyIgnore, corev1.NodeInclusionPolicyHonor),
	field[corev1.NodeSelectorRequirement]("Operator"): values(corev1.NodeSelectorOpIn, corev1.NodeSelectorOpNotIn,
		corev1.NodeSelectorOpExists, corev1.NodeSelectorOpDoesNotExist, corev1.NodeSelectorOpGt, corev1.NodeSelectorOpLt),
	field[corev1.VolumeMount]("MountPropagation"): values(corev1.MountPropagationNone, corev1.MountPropagationHostToContainer,
		corev1.MountPropagationBidirectional),
	field[corev1.PersistentVolumeClaimSpec]("AccessModes"): values(corev1.ReadWriteOnce, corev1.ReadOnlyMany,
		corev1.ReadWriteMany, corev1.ReadWriteOncePod),
	field[metav1.LabelSelectorRequirement]("Operator"): values(metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn,
		metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist),
	field[appsv1.DeploymentStrategy]("Type"):             values(appsv1.RecreateDeploymentStrategyType, appsv1.RollingUpdateDeploymentStrategyType),
	field[appsv1.StatefulSetSpec]("PodManagementPolicy"): values(appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement),
	field[appsv1.StatefulSetUpdateStrategy]("Type"): values(appsv1.RollingUpdateStatefulSetStrategyType,
		appsv1.OnDeleteStatefulSetStrategyType),
	field[appsv1.DaemonSetUpdateStrategy]("Type"):                         values(appsv1.RollingUpdateDaemonSetStrategyType, appsv1.OnDeleteDaemonSetStrategyType),
	field[batchv1.CronJobSpec]("ConcurrencyPolicy"):                       values(batchv1.AllowConcurrent, batchv1.ForbidConcurrent, batchv1.ReplaceConcurrent),
	field[batchv1.JobSpec]("CompletionMode"):                              values(batchv1.NonIndexedCompletion, batchv1.IndexedCompletion),
	field[batchv1.JobSpec]("PodReplacementPolicy"):                        values(batchv1.TerminatingOrFailed, batchv1.Failed),
	field[policyv1.PodDisruptionBudgetSpec]("UnhealthyPodEvictionPolicy"): values(policyv1.IfHealthyBudget, policyv1.AlwaysAllow),
	field[networkingv1.NetworkPolicySpec]("PolicyTypes"):                  values(networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress),
	field[networkingv1.NetworkPolicyPort]("Protocol"):                     protocols,
	field[autoscalingv2.MetricSpec]("Type"): values(autoscalingv2.ObjectMetricSourceType, autoscalingv2.PodsMetricSourceType,
		autoscalingv2.ResourceMetricSourceType, autoscalingv2.ContainerResourceMetricSourceType, autoscalingv2.ExternalMetricSourceType),
	field[autoscalingv2.MetricTarget]("Type"): values(autoscalingv2.UtilizationMetricType, autoscalingv2.ValueMetricType,
		autoscalingv2.AverageValueMetricType),
}

var protocols = values(corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP)

// A mapKind says how the keys and values of a map of strings are checked.
type mapKind int

const (
	labelMap      mapKind = iota + 1 // label keys and values
	annotationMap                    // annotation keys
)

// maps are the maps of strings whose keys (and values) Kubernetes checks.
var maps = map[fieldKey]mapKind{
	field[metav1.ObjectMeta]("Labels"):         labelMap,
	field[metav1.ObjectMeta]("Annotations"):    annotationMap,
	field[metav1.LabelSelector]("MatchLabels"): labelMap,
	field[corev1.ServiceSpec]("Selector"):      labelMap,
	field[corev1.PodSpec]("NodeSelector"):      labelMap,
}

// A path is where the validator is in an object: the elements from the
// root, formatted only when a problem is found.
type path []pathElem

// A pathElem is a field (by its JSON name) or an index.
type pathElem struct {
	name  string
	index int
}

func (p path) String() string {
	var b strings.Builder
	for _, e := range p {
		if e.name == "" {
			fmt.Fprintf(&b, "[%d]", e.index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.name)
	}
	return b.String()
}

// A plan is what the validator checks in values of one type: nil when
// nothing within them needs checking, so that it skips them.
type plan struct {
	fields []fieldPlan  // of a struct
	elem   reflect.Type // of a pointer, interface or slice
	dyn    bool         // an interface: look at the dynamic value
}

// A fieldPlan is one field of a struct that holds something to check.
type fieldPlan struct {
	index   int
	name    string // its JSON name; "" if inlined
	goName  string
	enum    []string
	mapKind mapKind
}

var plans sync.Map // reflect.Type -> *plan (nil if nothing to check)

// planOf returns the plan of t, or nil if no value of type t holds
// anything to check.
func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	// k8s.io/api has no recursive types; one would only be walked as if
	// it held nothing to check.
	plans.Store(t, (*plan)(nil))
	p := newPlan(t)
	plans.Store(t, p)
	return p
}

func newPlan(t reflect.Type) *plan {
	switch t.Kind() {
	case reflect.Interface:
		return &plan{dyn: true}
	case reflect.Pointer:
		if planOf(t.Elem()) != nil {
			return &plan{elem: t.Elem()}
		}
	case reflect.Slice:
		if t.Elem().Kind() != reflect.String && planOf(t.Elem()) != nil { // enum lists are checked by their struct
			return &plan{elem: t.Elem()}
		}
	case reflect.Struct:
		var fields []fieldPlan
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, inline := jsonName(f)
			fp := fieldPlan{index: i, goName: f.Name}
			if !inline {
				fp.name = name
			}
			key := fieldKey{t, f.Name}
			if allowed, ok := enums[key]; ok {
				fp.enum = allowed
			} else if kind, ok := maps[key]; ok {
				fp.mapKind = kind
			} else if planOf(f.Type) == nil {
				continue
			}
			fields = append(fields, fp)
		}
		if fields != nil {
			return &plan{fields: fields}
		}
	}
	return nil
}

// walk checks x, of a type whose plan is p, found at at, and what it holds.
func (v *validator) walk(x reflect.Value, p *plan, at path) {
	switch {
	case p == nil:
	case p.dyn:
		if !x.IsNil() {
			e := x.Elem()
			v.walk(e, planOf(e.Type()), at)
		}
	case x.Kind() == reflect.Pointer:
		if !x.IsNil() {
			v.walk(x.Elem(), planOf(p.elem), at)
		}
	case x.Kind() == reflect.Slice:
		ep := planOf(p.elem)
		for i := range x.Len() {
			v.walk(x.Index(i), ep, append(at, pathElem{index: i}))
		}
	default:
		for i := range p.fields {
			f := &p.fields[i]
			fat := at
			if f.name != "" {
				fat = append(at, pathElem{name: f.name})
			}
			fv := x.Field(f.index)
			switch {
			case f.enum != nil:
				v.enum(fv, fat, f.name, f.enum)
			case f.mapKind != 0:
				v.stringMap(fv, fat, f.mapKind)
			default:
				v.walk(fv, planOf(fv.Type()), fat)
			}
		}
	}
}

// jsonName returns the name that Kubernetes' JSON gives a field, and
// whether the field is inlined into its parent.
func jsonName(f reflect.StructField) (string, bool) {
	tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
	if tag == "" && (f.Anonymous || strings.Contains(","+opts+",", ",inline,")) {
		return "", true
	}
	if tag == "" {
		return f.Name, false
	}
	return tag, false
}

// enum checks the string, *string or []string x, field name at at,
// against allowed.
func (v *validator) enum(x reflect.Value, at path, name string, allowed []string) {
	switch x.Kind() {
	case reflect.Pointer:
		if !x.IsNil() {
			v.enum(x.Elem(), at, name, allowed)
		}
	case reflect.Slice:
		for i := range x.Len() {
			v.enum(x.Index(i), append(at, pathElem{index: i}), name, allowed)
		}
	case reflect.String:
		s := x.String()
		if s == "" || slices.Contains(allowed, s) {
			return
		}
		p := at.String()
		v.problems = append(v.problems, Problem{Path: p, Field: name, Value: s, Msg: unsupported(p, s, allowed)})
	}
}

// unsupported says that s, at path, is not one of allowed.
func unsupported(path, s string, allowed []string) string {
	quoted := make([]string, len(allowed))
	for i, a := range allowed {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	want := "one of " + strings.Join(quoted, ", ")
	if len(allowed) == 1 {
		want = quoted[0]
	}
	msg := fmt.Sprintf("%s: got %q, want %s", path, s, want)
	if near := diag.Nearest(s, allowed); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	}
	return msg
}

// stringMap checks the keys (and, for labels, the values) of the map of
// strings x at path.
func (v *validator) stringMap(x reflect.Value, at path, kind mapKind) {
	if x.Kind() != reflect.Map || x.Len() == 0 {
		return
	}
	iter := x.MapRange()
	var bad []string // the keys with a problem
	for iter.Next() {
		key, val := iter.Key().String(), iter.Value().String()
		if !validKey(key, kind) || kind == labelMap && !validLabelValue(val) {
			bad = append(bad, key)
		}
	}
	if bad == nil {
		return
	}
	slices.Sort(bad)
	what := "label"
	if kind == annotationMap {
		what = "annotation"
	}
	p := at.String()
	for _, key := range bad {
		val := x.MapIndex(reflect.ValueOf(key).Convert(x.Type().Key())).String()
		at := fmt.Sprintf("%s[%q]", p, key)
		check := key
		if kind == annotationMap {
			check = strings.ToLower(key) // as Kubernetes checks annotation keys
		}
		if errs := validation.IsQualifiedName(check); len(errs) > 0 {
			v.problems = append(v.problems, Problem{Path: at, Value: key,
				Msg: fmt.Sprintf("%s: %q is not a valid %s key: %s", at, key, what, strings.Join(errs, "; "))})
			continue
		}
		if kind != labelMap {
			continue
		}
		if errs := validation.IsValidLabelValue(val); len(errs) > 0 {
			v.problems = append(v.problems, Problem{Path: at, Field: key, Value: val,
				Msg: fmt.Sprintf("%s: %q is not a valid label value: %s", at, val, strings.Join(errs, "; "))})
		}
	}
}

// validKey reports whether key is a valid key of a map of kind, as
// apimachinery's validation.IsQualifiedName says, without its regular
// expressions for the common keys.
func validKey(key string, kind mapKind) bool {
	check := key
	if kind == annotationMap {
		check = strings.ToLower(key)
	}
	prefix, name, ok := strings.Cut(check, "/")
	if !ok {
		return simpleName(prefix)
	}
	if !simpleName(name) || strings.Contains(name, "/") || len(prefix) > 253 || prefix == "" {
		return len(validation.IsQualifiedName(check)) == 0
	}
	for _, label := range strings.Split(prefix, ".") {
		if !dnsLabel(label) {
			return len(validation.IsQualifiedName(check)) == 0
		}
	}
	return true
}

// validLabelValue reports whether s is a valid label value.
func validLabelValue(s string) bool { return s == "" || simpleName(s) }

// simpleName reports whether s is 1 to 63 of [A-Za-z0-9-_.], beginning and
// ending with a letter or digit: the name part of a qualified name.
func simpleName(s string) bool {
	if len(s) == 0 || len(s) > 63 || !alnum(s[0]) || !alnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !alnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// dnsLabel reports whether s is a DNS-1123 label: 1 to 63 of [a-z0-9-],
// beginning and ending with a letter or digit.
func dnsLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }

// restartPolicy checks that the pods of a workload restart as its kind
// requires: always for a Deployment, StatefulSet, DaemonSet or ReplicaSet,
// never always for a Job or CronJob.
func (v *validator) restartPolicy(obj runtime.Object) {
	var spec *corev1.PodSpec
	path := "spec.template.spec.restartPolicy"
	allowed, why := values(corev1.RestartPolicyAlways), "always restart"
	switch o := obj.(type) {
	case *appsv1.Deployment:
		spec = &o.Spec.Template.Spec
	case *appsv1.StatefulSet:
		spec = &o.Spec.Template.Spec
	case *appsv1.DaemonSet:
		spec = &o.Spec.Template.Spec
	case *appsv1.ReplicaSet:
		spec = &o.Spec.Template.Spec
	case *batchv1.Job:
		spec = &o.Spec.Template.Spec
		allowed, why = values(corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever), "run to completion"
	case *batchv1.CronJob:
		spec = &o.Spec.JobTemplate.Spec.Template.Spec
		allowed, why = values(corev1.RestartPolicyOnFailure, corev1.RestartPolicyNever), "run to completion"
		path = "spec.jobTemplate.spec.template.spec.restartPolicy"
	default:
		return
	}
	s := string(spec.RestartPolicy)
	if s == "" || slices.Contains(allowed, s) || !slices.Contains(enums[field[corev1.PodSpec]("RestartPolicy")], s) {
		return // unset, allowed, or reported as unsupported already
	}
	msg := unsupported(path, s, allowed) + fmt.Sprintf(": the pods of a %s %s", reflect.TypeOf(obj).Elem().Name(), why)
	v.problems = append(v.problems, Problem{Path: path, Field: "restartPolicy", Value: s, Msg: msg})
}
